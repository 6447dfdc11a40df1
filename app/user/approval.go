package user

import "context"

// Approvals is the review queue's say on new accounts (app/review): with
// approval of registrations on, a new account waits in the queue and
// cannot log in until the team approves it.
type Approvals interface {
	// Registered is told of every new member account.
	Registered(ctx context.Context, u *User) error
	// MayLogIn refuses an account that waits or was refused, with a
	// message saying which.
	MayLogIn(ctx context.Context, u *User) error
}

// UseApprovals puts the review queue in front of new accounts.
func (s *Service) UseApprovals(a Approvals) { s.approvals = a }

// mayLogIn asks the review queue, when there is one.
func (s *Service) mayLogIn(ctx context.Context, u *User) error {
	if s.approvals == nil {
		return nil
	}
	return s.approvals.MayLogIn(ctx, u)
}
