package notify

import (
	"context"

	"causerie/app/event"
)

// KindNotice is a decision of staff about the member's own content or
// account (a held post approved, a post hidden and why, a proposal's
// outcome): worded by its message ID with the reason given.
const KindNotice = "notice"

func (s *Service) memberNotice(ctx context.Context, e event.MemberNotice) error {
	d := Data{Message: e.Message, Reason: e.Reason, Title: e.Title, Link: e.URL}
	return s.personal(ctx, e.UserID, KindNotice, "notice:"+e.Key, d)
}
