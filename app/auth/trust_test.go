package auth_test

import (
	"testing"

	"causerie/app/auth"
	"causerie/app/config"
)

// Each trust level unlocks what the issue lists; staff may do it all; new
// members post within [trust] limits.
func TestTrustCapabilities(t *testing.T) {
	cfg := config.Default().Trust
	member := func(level int) *auth.Viewer { return &auth.Viewer{ID: 7, Role: auth.RoleMember, TrustLevel: level} }
	newcomer := auth.Limits{Limited: true, LinksPerPost: cfg.NewMaxLinks, ImagesPerPost: cfg.NewMaxImages, PostsPerDay: cfg.NewPostsPerDay}
	for _, tc := range []struct {
		name                string
		v                   *auth.Viewer
		upload, flag, retag bool
		limits              auth.Limits
	}{
		{"visitor", &auth.Viewer{}, false, false, false, newcomer},
		{"new", member(auth.TrustNew), false, false, false, newcomer},
		{"basic", member(auth.TrustBasic), true, true, false, auth.Limits{}},
		{"member", member(auth.TrustMember), true, true, false, auth.Limits{}},
		{"regular", member(auth.TrustRegular), true, true, true, auth.Limits{}},
		{"leader", member(auth.TrustLeader), true, true, true, auth.Limits{}},
		{"new moderator", &auth.Viewer{ID: 8, Role: auth.RoleModerator}, true, true, true, auth.Limits{}},
		{"new admin", &auth.Viewer{ID: 9, Role: auth.RoleAdmin}, true, true, true, auth.Limits{}},
	} {
		if got := auth.CanUpload(tc.v); got != tc.upload {
			t.Errorf("%s: CanUpload = %v", tc.name, got)
		}
		if got := auth.CanFlag(tc.v); got != tc.flag {
			t.Errorf("%s: CanFlag = %v", tc.name, got)
		}
		if got := auth.CanRetag(tc.v); got != tc.retag {
			t.Errorf("%s: CanRetag = %v", tc.name, got)
		}
		if got := auth.PostLimits(tc.v, cfg); got != tc.limits {
			t.Errorf("%s: PostLimits = %+v, want %+v", tc.name, got, tc.limits)
		}
	}
	if !auth.CanSetTrust(&auth.Viewer{ID: 1, Role: auth.RoleModerator}) || auth.CanSetTrust(member(auth.TrustLeader)) {
		t.Error("setting trust levels is for staff only")
	}
	if auth.TrustName(auth.TrustRegular) != "trust.level_3" {
		t.Errorf("TrustName(3) = %q", auth.TrustName(auth.TrustRegular))
	}
}
