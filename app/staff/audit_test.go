package staff_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"causerie/app/audit"
	"causerie/app/testutil"
)

type apiAudit struct {
	Entries []struct {
		ID         int64
		Actor      *string
		Action     string
		ObjectType string `json:"object_type"`
		ObjectID   int64  `json:"object_id"`
		Reason     string
		Before     any
		After      any
		URL        string
	}
	NextCursor *string `json:"next_cursor"`
}

// The audit log: filtered by actor, action, object, category and dates,
// cut in pages with a cursor, exported as CSV; for administrators, leads
// and analysts only.
func TestAuditLog(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newTeam(t, env)
		mod, lead := bearer(t, env, w.mod), bearer(t, env, w.lead)
		want[map[string]any](t, mod.Post(t, "/api/v1/users/ana/sanctions", map[string]any{"kind": "warning", "reason": "=HYPERLINK(\"x\")"}), 201)
		want[map[string]any](t, mod.Post(t, "/api/v1/users/bob/sanctions", map[string]any{"kind": "silence", "reason": "Flooding", "duration": "1"}), 201)
		want[map[string]any](t, lead.Post(t, "/api/v1/users/bob/notes", map[string]any{"body": "Third time this month."}), 201)
		testutil.Must(t, audit.Record(env.App.DB.DB, audit.Change{Actor: w.mod.ID, Action: "post.hide", ObjectType: "post", ObjectID: 42,
			Category: w.general.ID, Reason: "spam"}), "record")

		reader := bearer(t, env, w.analyst)
		all := want[apiAudit](t, reader.Get(t, "/api/v1/audit"), 200)
		if len(all.Entries) != 4 || all.Entries[0].Action != "post.hide" || all.Entries[3].Action != "user.warn" || all.NextCursor != nil {
			t.Fatalf("log = %+v", all)
		}
		if e := all.Entries[0]; e.URL != "/p/42" || e.Actor == nil || *e.Actor != "mona" {
			t.Errorf("entry = %+v", e)
		}
		for _, tc := range []struct {
			query string
			n     int
		}{
			{"actor=mona", 3}, {"actor=lea", 1}, {"action=user.silence", 1}, {"action=user.", 3},
			{"object_type=user&object_id=" + itoa(w.bob.ID), 2}, {"category=" + itoa(w.general.ID), 1},
			{"from=2000-01-01&to=2000-12-31", 0}, {"from=2000-01-01", 4},
		} {
			got := want[apiAudit](t, reader.Get(t, "/api/v1/audit?"+tc.query), 200)
			if len(got.Entries) != tc.n {
				t.Errorf("%s: %d entries, want %d", tc.query, len(got.Entries), tc.n)
			}
		}
		for _, bad := range []string{"from=yesterday", "actor=nobody", "cursor=xyz"} {
			status(t, reader.Get(t, "/api/v1/audit?"+bad), http.StatusUnprocessableEntity)
		}

		// Pages of two, with the cursor, cover every entry once.
		var seen []int64
		q := "limit=2"
		for i := 0; i < 5; i++ {
			p := want[apiAudit](t, reader.Get(t, "/api/v1/audit?"+q), 200)
			for _, e := range p.Entries {
				seen = append(seen, e.ID)
			}
			if p.NextCursor == nil {
				break
			}
			q = "limit=2&cursor=" + url.QueryEscape(*p.NextCursor)
		}
		if len(seen) != 4 || seen[0] <= seen[1] || seen[1] <= seen[2] || seen[2] <= seen[3] {
			t.Errorf("paged IDs = %v", seen)
		}

		res := reader.Get(t, "/api/v1/audit?format=csv&actor=mona")
		rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || len(rows) != 4 {
			t.Fatalf("CSV: %d %v %d rows\n%s", res.StatusCode, err, len(rows), res.Body)
		}
		if rows[0][3] != "action" || rows[3][3] != "user.warn" || !strings.HasPrefix(rows[3][9], "'=") {
			t.Errorf("CSV rows = %q (a formula must be defused)", rows)
		}

		for _, who := range []*caller{mod, bearer(t, env, w.junior), bearer(t, env, w.ana)} {
			status(t, who.Get(t, "/api/v1/audit"), 403)
			status(t, who.Get(t, "/api/v1/audit?format=csv"), 403)
		}
		status(t, visitor(env).Get(t, "/api/v1/audit"), 401)
		status(t, lead.Get(t, "/api/v1/audit"), 200)

		page := env.Client()
		page.Login(t, "adele")
		if res := page.Get(t, "/admin/audit?action=user.silence"); res.StatusCode != 200 || !strings.Contains(res.Body, "Flooding") || strings.Contains(res.Body, "Third time") {
			t.Errorf("audit page filtered: %d", res.StatusCode)
		}
		if res := page.Get(t, "/admin/audit?from=31-12-2020"); res.StatusCode != 422 || !strings.Contains(res.Body, "Enter a date such as") {
			t.Errorf("bad date on the page: %d", res.StatusCode)
		}
		if res := page.Get(t, "/admin/audit.csv"); res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("CSV export: %d", res.StatusCode)
		}
		mona := env.Client()
		mona.Login(t, "mona")
		status(t, mona.Get(t, "/admin/audit"), 403)
		status(t, mona.Get(t, "/admin/audit.csv"), 403)
	})
}

// No route changes or removes an audit entry: every route under the log's
// paths is a GET, and other methods find nothing; the entries stay.
func TestAuditCannotBeChanged(t *testing.T) {
	env := testutil.New(t)
	w := newTeam(t, env)
	want[map[string]any](t, bearer(t, env, w.mod).Post(t, "/api/v1/users/ana/sanctions", map[string]any{"kind": "warning", "reason": "Be kind"}), 201)
	for _, r := range env.App.Web.Routes() {
		if strings.Contains(r.Path, "audit") && r.Method != http.MethodGet {
			t.Errorf("route %s %s could change the audit log", r.Method, r.Path)
		}
	}
	var before int64
	env.App.DB.Model(&audit.Entry{}).Count(&before)
	admin := bearer(t, env, w.admin)
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		for _, p := range []string{"/api/v1/audit", "/api/v1/audit/1", "/admin/audit", "/admin/audit/1"} {
			if res := admin.Do(t, m, p, map[string]any{"reason": "changed"}); res.StatusCode < 400 {
				t.Errorf("%s %s = %d", m, p, res.StatusCode)
			}
		}
	}
	var after int64
	env.App.DB.Model(&audit.Entry{}).Count(&after)
	var e audit.Entry
	env.App.DB.First(&e)
	if before != after || before == 0 || e.Reason != "Be kind" {
		t.Errorf("entries %d → %d, first reason %q", before, after, e.Reason)
	}
}
