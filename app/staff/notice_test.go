package staff_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"causerie/app/notify"
	"causerie/app/staff"
	"causerie/app/testutil"
	"causerie/app/user"
)

// A warning reaches the member's notifications (the bell) and their mail,
// with the reason, in their language, leading to their standing page;
// a silence too.
func TestSanctionsAreNotified(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newTeam(t, env)
		ctx := context.Background()
		drain := func() {
			testutil.Must(t, env.App.Jobs.Drain(ctx), "drain")
			testutil.Must(t, env.App.Jobs.Enqueue(ctx, notify.JobMail, nil, 0), "enqueue mail")
			testutil.Must(t, env.App.Jobs.Drain(ctx), "drain mail")
		}
		drain()
		mails := env.Mail.Count(w.ana.Email)
		_, err := env.App.Staff.Sanction(ctx, w.mod.Viewer(), "ana", staff.SanctionInput{Kind: staff.KindWarning, Reason: "Keep the tone friendly, please."})
		testutil.Must(t, err, "warn")
		drain()
		ana := env.Client()
		ana.Login(t, "ana")
		page := ana.Get(t, "/notifications").Body
		if !strings.Contains(page, "The moderators sent you a warning") || !strings.Contains(page, "Keep the tone friendly, please.") {
			t.Errorf("the warning is not in the member's notifications:\n%s", page)
		}
		var ns []notify.Notification
		testutil.Must(t, env.App.DB.Where("user_id = ? AND kind = ?", w.ana.ID, notify.KindNotice).Find(&ns).Error, "notices")
		if len(ns) != 1 || !strings.Contains(ns[0].Data, "/account/standing") {
			t.Errorf("notices of the warning: %+v", ns)
		}
		if res := ana.Get(t, fmt.Sprintf("/notifications/%d", ns[0].ID)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/standing" {
			t.Errorf("opening the notification leads to %d %q, want the standing page", res.StatusCode, res.Header.Get("Location"))
		}
		if env.Mail.Count(w.ana.Email) == mails {
			t.Error("the warning is not mailed")
		}
		// In the member's language.
		testutil.Must(t, env.App.DB.Model(&user.User{}).Where("id = ?", w.bob.ID).Update("language", "fr").Error, "french")
		_, err = env.App.Staff.Sanction(ctx, w.mod.Viewer(), "bob", staff.SanctionInput{Kind: staff.KindSilence, Reason: "Trop de messages hors sujet", Duration: "3"})
		testutil.Must(t, err, "silence")
		drain()
		bob := env.Client()
		bob.Login(t, "bob")
		if page := bob.Get(t, "/notifications").Body; !strings.Contains(page, "mis en sourdine") || !strings.Contains(page, "Trop de messages hors sujet") {
			t.Errorf("the silence is not told in French:\n%s", page)
		}
		// Lifted early: told too, with the reason.
		list, err := env.App.Staff.Sanctions(ctx, w.mod.Viewer(), "bob")
		testutil.Must(t, err, "sanctions")
		_, err = env.App.Staff.Lift(ctx, w.mod.Viewer(), "bob", list[0].ID, "Fait le point ensemble")
		testutil.Must(t, err, "lift")
		drain()
		if page := bob.Get(t, "/notifications").Body; !strings.Contains(page, "levé votre sanction") || !strings.Contains(page, "Fait le point ensemble") {
			t.Errorf("the lift is not told in French:\n%s", page)
		}
	})
}
