package auth

// MayUseQueue says whether v has business in the review queue (the
// header's link): reviewers, junior moderators who propose, those who
// approve proposals or registrations.
func (v *Viewer) MayUseQueue() bool {
	return CanSeeQueue(v) || v.CanSomewhere(PermApprove) || CanApproveRegistrations(v)
}
