package audit_test

import (
	"testing"

	"causerie/app/audit"
	"causerie/app/testutil"
)

// An entry keeps who, what, why and the states before and after, as JSON.
func TestRecordKeepsTheChange(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		mod := env.UserWithRole(t, "mona", "moderator")
		err := audit.Record(env.App.DB.DB, audit.Change{Actor: mod.ID, Action: "post.hide", ObjectType: "post", ObjectID: 42,
			Category: 1, Reason: "spam", Before: map[string]string{"state": "published"}, After: map[string]string{"state": "hidden"}})
		if err != nil {
			t.Fatal(err)
		}
		var got audit.Entry
		if err := env.App.DB.DB.Last(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got.ActorID == nil || *got.ActorID != mod.ID || got.Action != "post.hide" || got.ObjectID != 42 ||
			got.CategoryID == nil || *got.CategoryID != 1 || got.Reason != "spam" ||
			got.Before != `{"state":"published"}` || got.After != `{"state":"hidden"}` || got.CreatedAt.IsZero() {
			t.Errorf("entry = %+v", got)
		}
		if err := audit.Record(env.App.DB.DB, audit.Change{Action: "trust.promote", ObjectType: "user", ObjectID: mod.ID}); err != nil {
			t.Fatal(err)
		}
		var sys audit.Entry
		env.App.DB.DB.Last(&sys)
		if sys.ActorID != nil || sys.CategoryID != nil || sys.Before != "" {
			t.Errorf("system entry = %+v, want no actor, no category, no state", sys)
		}
	})
}
