package moderation_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"causerie/app/audit"
	"causerie/app/testutil"
)

// Close, open, feature, unfeature, pin and unpin take an optional reason
// on the topic's tools page (plain forms, no script); it goes to the
// audit log with the action.
func TestTopicStatusReasons(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		f := setup(t, env)
		tp, _ := f.topic(t, f.catA, "A topic to close and pin", "a reply")
		staff := env.Client()
		staff.Login(t, "boss")
		tools := fmt.Sprintf("/mod/t/%d", tp.ID)
		for _, step := range []struct{ kind, action string }{
			{"close", "topic.close"}, {"open", "topic.open"}, {"feature", "topic.feature"},
			{"unfeature", "topic.unfeature"}, {"pin", "topic.pin"}, {"unpin", "topic.unpin"},
		} {
			page := staff.Get(t, tools).Body
			field := fmt.Sprintf(`id="reason-%s" name="reason"`, step.kind)
			if !strings.Contains(page, field) || !strings.Contains(page, fmt.Sprintf(`for="reason-%s"`, step.kind)) {
				t.Fatalf("%s: the tools page has no labelled reason box for it", step.kind)
			}
			reason := "Reason for " + step.kind
			form := testutil.Form("reason", reason)
			if step.kind == "pin" {
				form = testutil.Form("reason", reason, "scope", "category")
			}
			if res := staff.Post(t, fmt.Sprintf("/mod/t/%d/%s", tp.ID, step.kind), form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%s", step.kind, res.StatusCode, res.Body)
			}
			var e audit.Entry
			testutil.Must(t, env.App.DB.Where("action = ? AND object_id = ?", step.action, tp.ID).Order("id DESC").Take(&e).Error, "audit of %s", step.kind)
			if e.Reason != reason {
				t.Errorf("%s audited with reason %q, want %q", step.kind, e.Reason, reason)
			}
		}
	})
}
