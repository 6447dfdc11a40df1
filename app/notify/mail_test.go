package notify_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"causerie/app/notify"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

// runJob runs a periodic job now, as its schedule would.
func (w *world) runJob(t *testing.T, name string) {
	t.Helper()
	testutil.Must(t, w.env.App.Jobs.Enqueue(ctx, name, nil, 0), "enqueue %s", name)
	w.drain(t)
}

func (w *world) frequency(t *testing.T, u *user.User) string {
	t.Helper()
	var f string
	testutil.Must(t, w.env.App.DB.Model(&user.User{}).Where("id = ?", u.ID).Pluck("email_frequency", &f).Error, "frequency")
	return f
}

func postURL(env *testutil.Env, p *topic.Post) string { return env.URL(p.URL()) }

// Two replies within the window make one mail listing both; what comes
// during the window waits for the next mail, in the member's language.
func TestImmediateMailIsBatched(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		testutil.Must(t, env.App.Users.SetLanguage(ctx, w.cleo.Viewer(), "fr"), "cleo speaks French")
		tp, _ := w.start(t, w.ana, w.general, "Batching mails for everyone", topic.KindDiscussion, "First!")
		r1 := w.reply(t, w.bo, tp, 0, "A first reply")
		r2 := w.reply(t, w.cleo, tp, 0, "A second reply")
		w.drain(t)
		if n := env.Mail.Count(w.ana.Email); n != 0 {
			t.Fatalf("%d mails sent before the mail job ran: mail must wait for it", n)
		}
		w.runJob(t, notify.JobMail)
		if n := env.Mail.Count(w.ana.Email); n != 1 {
			t.Fatalf("ana got %d mails, want 1", n)
		}
		m := env.Mail.Last(t, w.ana.Email)
		if m.Subject != "2 new notifications on Causerie" {
			t.Errorf("subject = %q", m.Subject)
		}
		for _, want := range []string{"Hello ana,", "boris replied to you", "cleo replied to you", "Batching mails for everyone",
			postURL(env, r1), postURL(env, r2), "/unsubscribe?u="} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("the mail lacks %q:\n%s", want, m.Text)
			}
		}
		if lu := m.Header.Get("List-Unsubscribe"); !strings.HasPrefix(lu, "<"+env.URL("/unsubscribe?u=")) {
			t.Errorf("List-Unsubscribe = %q", lu)
		}
		if lp := m.Header.Get("List-Unsubscribe-Post"); lp != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", lp)
		}

		// Within the window, a third reply waits.
		r3 := w.reply(t, w.dan, tp, 0, "A third reply")
		w.drain(t)
		w.runJob(t, notify.JobMail)
		if n := env.Mail.Count(w.ana.Email); n != 1 {
			t.Fatalf("ana got %d mails within the window, want still 1", n)
		}
		// cleo, whose first mail this is, hears of it in French.
		fr := env.Mail.Last(t, w.cleo.Email)
		if fr.Subject != "1 nouvelle notification sur Causerie" || !strings.Contains(fr.Text, "dan a publié une réponse") ||
			!strings.Contains(fr.Text, "Bonjour cleo,") {
			t.Errorf("cleo's mail is not in French: %q\n%s", fr.Subject, fr.Text)
		}
		// Once the window has passed, the next mail has the third reply only.
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET last_mailed_at = ? WHERE id = ?`,
			time.Now().UTC().Add(-11*time.Minute), w.ana.ID).Error, "age the last mail")
		w.runJob(t, notify.JobMail)
		if n := env.Mail.Count(w.ana.Email); n != 2 {
			t.Fatalf("ana got %d mails after the window, want 2", n)
		}
		m = env.Mail.Last(t, w.ana.Email)
		if !strings.Contains(m.Text, postURL(env, r3)) || strings.Contains(m.Text, postURL(env, r1)) {
			t.Errorf("the second mail should list the third reply only:\n%s", m.Text)
		}
		// What was read before the mail went is not mailed.
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET last_mailed_at = NULL`).Error, "open every window")
		w.reply(t, w.bo, tp, 0, "A fourth reply")
		w.drain(t)
		testutil.Must(t, env.App.Notify.MarkAllRead(ctx, w.ana.Viewer()), "read")
		w.runJob(t, notify.JobMail)
		if n := env.Mail.Count(w.ana.Email); n != 2 {
			t.Errorf("ana got a mail about what she had read (%d mails)", n)
		}
	})
}

// A daily digest waits for its day, then sums it up; "never" sends
// nothing.
func TestDigest(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		testutil.Must(t, env.App.Notify.SetFrequency(ctx, w.bo.Viewer(), notify.FreqDaily), "daily")
		testutil.Must(t, env.App.Notify.SetFrequency(ctx, w.cleo.Viewer(), notify.FreqNever), "never")
		w.start(t, w.ana, w.general, "What happened today at the club", topic.KindDiscussion, "Thanks @boris and @cleo for coming.")
		w.drain(t)
		w.runJob(t, notify.JobMail)
		w.runJob(t, notify.JobDigest)
		if n := env.Mail.Count(w.bo.Email) + env.Mail.Count(w.cleo.Email); n != 0 {
			t.Fatalf("%d mails before the day was over", n)
		}
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET last_digest_at = ?`, time.Now().UTC().Add(-25*time.Hour)).Error, "a day passes")
		w.runJob(t, notify.JobDigest)
		if n := env.Mail.Count(w.bo.Email); n != 1 {
			t.Fatalf("bo got %d digests, want 1", n)
		}
		m := env.Mail.Last(t, w.bo.Email)
		if m.Subject != "Your daily summary from Causerie" {
			t.Errorf("subject = %q", m.Subject)
		}
		for _, want := range []string{"ana mentioned you", "Popular topics:", "What happened today at the club", "/unsubscribe?u="} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("the digest lacks %q:\n%s", want, m.Text)
			}
		}
		if m.Header.Get("List-Unsubscribe") == "" {
			t.Error("the digest has no List-Unsubscribe header")
		}
		w.runJob(t, notify.JobDigest)
		w.runJob(t, notify.JobMail)
		if n, c := env.Mail.Count(w.bo.Email), env.Mail.Count(w.cleo.Email); n != 1 || c != 0 {
			t.Errorf("after the digest: bo %d mails (want 1), cleo %d (want 0)", n, c)
		}
	})
}

// The link in every mail unsubscribes without logging in; a forged one
// does nothing.
func TestUnsubscribe(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp, _ := w.start(t, w.ana, w.general, "Unsubscribe me, please", topic.KindDiscussion, "Hello")
		w.reply(t, w.bo, tp, 0, "Hi ana")
		w.drain(t)
		w.runJob(t, notify.JobMail)
		link := env.Mail.Last(t, w.ana.Email).Link("/unsubscribe")
		path := strings.TrimPrefix(link, env.Server.URL)
		if link == "" || path == link {
			t.Fatalf("no unsubscribe link in the mail")
		}
		visitor := env.Client()
		for _, forged := range []string{
			strings.Replace(path, "&t=", "&t=x", 1),
			strings.Replace(path, "u=", "u=1", 1),
			"/unsubscribe?u=" + "1",
		} {
			if res := visitor.Get(t, forged); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", forged, res.StatusCode)
			}
		}
		if f := w.frequency(t, w.ana); f != "immediate" {
			t.Fatalf("a forged link changed the frequency to %q", f)
		}
		res := visitor.Get(t, path)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "You will not receive e-mail notifications any more.") {
			t.Errorf("GET %s = %d\n%s", path, res.StatusCode, res.Body)
		}
		if f := w.frequency(t, w.ana); f != "never" {
			t.Errorf("frequency after unsubscribing = %q", f)
		}
		// The one-click POST of mail programs (RFC 8058): no cookie, no CSRF token.
		testutil.Must(t, env.App.Notify.SetFrequency(ctx, w.ana.Viewer(), notify.FreqImmediate), "subscribe again")
		if res := env.Client().PostRaw(t, path, testutil.Form("List-Unsubscribe", "One-Click")); res.StatusCode != http.StatusOK {
			t.Errorf("one-click POST = %d\n%s", res.StatusCode, res.Body)
		}
		if f := w.frequency(t, w.ana); f != "never" {
			t.Errorf("frequency after the one-click POST = %q", f)
		}
		testutil.Must(t, env.App.DB.Exec(`UPDATE users SET last_mailed_at = NULL`).Error, "open the window")
		w.reply(t, w.cleo, tp, 0, "Hi again ana")
		w.drain(t)
		w.runJob(t, notify.JobMail)
		if n := env.Mail.Count(w.ana.Email); n != 1 {
			t.Errorf("ana got %d mails, want only the one before unsubscribing", n)
		}
	})
}
