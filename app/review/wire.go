package review

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/moderation"
	"causerie/app/policy"
	"causerie/app/topic"
	"causerie/app/user"
)

// Wire puts the queue where it belongs: in front of new posts and edits
// (with the policy's checks), of new accounts, and behind moderation's
// appeals and junior moderators' proposals, whose approved actions
// moderation carries out.
func Wire(s *Service, topics *topic.Service, users *user.Service, mods *moderation.Service, pol *policy.Service) {
	if pol != nil {
		s.UsePolicy(PolicyOf(pol))
	}
	topics.SetGate(s)
	users.UseApprovals(s)
	if mods == nil {
		return
	}
	mods.UseRequeue(s.Requeue)
	mods.UseReviews(moderation.ReviewFunc(func(ctx context.Context, v *auth.Viewer, postID int64, note string) error {
		_, err := s.RequestReview(ctx, v, postID, note)
		return err
	}))
	mods.UseProposals(moderation.ProposeFunc(func(ctx context.Context, v *auth.Viewer, a moderation.Action) error {
		raw, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("proposal: %w", err)
		}
		_, err = s.Propose(ctx, v, ProposeInput{Action: a.Kind, PostID: a.PostID, TopicID: a.TopicID, Reason: a.Reason, Params: raw})
		return err
	}))
	s.UseActions(ActionsFunc(func(ctx context.Context, tx *gorm.DB, v *auth.Viewer, raw json.RawMessage) error {
		var a moderation.Action
		if err := json.Unmarshal(raw, &a); err != nil {
			return fmt.Errorf("proposed action: %w", err)
		}
		_, err := mods.ApplyTx(ctx, tx, v, a)
		return err
	}))
}
