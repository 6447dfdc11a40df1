package policy

import (
	"context"

	"causerie/app/auth"
	"causerie/app/topic"
)

// Check is CheckPost in the shape of the review queue's gate in front of
// app/topic (review.Policy): the queue asks it for every new topic, reply
// and edit, so watched words, rate limits, the duplicate check and the spam
// score apply wherever a post is written, page or API.
func (s *Service) Check(ctx context.Context, v *auth.Viewer, in topic.GateInput) (topic.Verdict, error) {
	isTopic := in.TopicID == 0 || in.Title != "" // a new topic, or an edit of a topic's title
	vd, err := s.CheckPost(ctx, v, Post{CategoryID: in.CategoryID, TopicID: in.TopicID, PostID: in.PostID,
		Title: in.Title, Body: in.Body, IsTopic: isTopic})
	if err != nil {
		return topic.Verdict{}, err
	}
	out := topic.Verdict{Hold: len(vd.Hold) > 0, Reasons: vd.Hold, Flags: vd.Flag, Score: vd.Score}
	if vd.Title != in.Title {
		out.Title = vd.Title
	}
	if vd.Body != in.Body {
		out.Body = vd.Body
	}
	return out, nil
}
