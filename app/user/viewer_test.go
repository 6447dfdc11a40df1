package user_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"causerie/app/testutil"
	"causerie/app/user"
)

// A request's Viewer is read from a few columns of the member's row
// (Store.viewerRow); it must be the Viewer the whole row gives, whatever
// the member's settings and standing, and a suspension must still refuse.
func TestViewerRowReadsWhatViewerReads(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		ctx := testutil.Ctx()
		plain := env.Member(t, "plain")
		mod := env.UserWithRole(t, "moda", "moderator")
		until := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET language = 'fr', theme = 'dark', trust_level = 3, warning_unread = ?,
			silenced_until = ? WHERE id = ?`, true, until, mod.ID).Error, "set every field the viewer reads")
		for _, u := range []*user.User{plain, mod} {
			got, err := env.App.Users.ViewerByID(ctx, u.ID)
			testutil.Must(t, err, "ViewerByID %s", u.Username)
			row, err := env.App.Users.Store().Get(ctx, u.ID)
			testutil.Must(t, err, "the whole row of %s", u.Username)
			want, err := env.App.Users.ViewerOf(ctx, row)
			testutil.Must(t, err, "ViewerOf %s", u.Username)
			if !got.SilencedUntil.Equal(want.SilencedUntil) {
				t.Errorf("%s: silenced until %v, the whole row says %v", u.Username, got.SilencedUntil, want.SilencedUntil)
			}
			got.SilencedUntil, want.SilencedUntil = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: the viewer read from a few columns differs from the whole row's:\n got %+v\nwant %+v", u.Username, got, want)
			}
		}
		if v, _ := env.App.Users.ViewerByID(ctx, mod.ID); v.Language != "fr" || v.Theme != "dark" || v.TrustLevel != 3 || !v.WarningUnread || !v.Silenced() {
			t.Errorf("the moderator's settings and standing are not all read: %+v", v)
		}
		testutil.Must(t, env.App.DB.Exec("UPDATE users SET suspended_until = ? WHERE id = ?", until, plain.ID).Error, "suspend")
		if _, err := env.App.Users.ViewerByID(ctx, plain.ID); !errors.Is(err, user.ErrSuspended) {
			t.Errorf("a suspended member's viewer: %v, want ErrSuspended", err)
		}
		if _, err := env.App.Users.ViewerByID(ctx, 1<<40); !errors.Is(err, user.ErrNotFound) {
			t.Errorf("no such member: %v, want ErrNotFound", err)
		}
	})
}
