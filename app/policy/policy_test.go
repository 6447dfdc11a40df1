package policy_test

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/policy"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

// world is a forum with a lead who sets the policy, a member, a newcomer
// and a moderator, and one open category.
type world struct {
	env                            *testutil.Env
	svc                            *policy.Service
	lead, member, newbie, mod, adm *user.User
	cat                            *category.Category
}

func newWorld(t *testing.T, env *testutil.Env) *world {
	t.Helper()
	w := &world{env: env, svc: env.App.Policy}
	w.adm = env.UserWithRole(t, "ada", "admin")
	w.lead = env.UserWithRole(t, "lea", "lead")
	w.member = env.Member(t, "max")
	w.newbie = env.Newcomer(t, "nina")
	w.mod = env.UserWithRole(t, "moe", "moderator")
	var err error
	w.cat, err = env.App.Categories.Create(testutil.Ctx(), w.adm.Viewer(), category.Input{Name: "Policy lounge",
		Read: []string{"everyone"}, Start: []string{"members"}, Reply: []string{"members"}})
	testutil.Must(t, err, "category")
	return w
}

func (w *world) watch(t *testing.T, pattern string, regex bool, action, replacement string) *policy.Word {
	t.Helper()
	wd, err := w.svc.CreateWord(testutil.Ctx(), w.lead.Viewer(), policy.WordInput{Pattern: pattern, Regex: regex, Action: action, Replacement: replacement})
	testutil.Must(t, err, "watch %q", pattern)
	return wd
}

func (w *world) check(v *auth.Viewer, body string) (policy.Verdict, error) {
	return w.svc.CheckPost(testutil.Ctx(), v, policy.Post{CategoryID: w.cat.ID, TopicID: 1, Body: body})
}

// fieldError is the field and message ID (and template data) of a field
// error, or fails the test.
func fieldError(t *testing.T, err error) (string, string, map[string]any) {
	t.Helper()
	var f errs.Fields
	if !errors.As(err, &f) || len(f) != 1 {
		t.Fatalf("err = %v, want one field at fault", err)
	}
	for k, id := range f {
		return k, id, errs.DataOf(err)[k]
	}
	return "", "", nil
}

// Each action does what it says, in English and in French, with case and
// accents folded.
func TestWatchedWordActions(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		w.watch(t, "casino", false, policy.ActionBlock, "")
		w.watch(t, "télécharger", false, policy.ActionBlock, "")
		w.watch(t, "crypto", false, policy.ActionHold, "")
		w.watch(t, "arnaque", false, policy.ActionFlag, "")
		w.watch(t, "merde", false, policy.ActionCensor, "")
		w.watch(t, `concurrent\.(com|fr)`, true, policy.ActionReplace, "[lien retiré]")
		w.watch(t, "iPhone", false, policy.ActionTag, "apple")
		m := w.member.Viewer()

		for _, tc := range []struct{ body, word string }{
			{"The best CASINO in town", "CASINO"},
			{"Venez TELECHARGER le film !", "TELECHARGER"},
			{"Cliquez pour télécharger.", "télécharger"},
		} {
			_, err := w.check(m, tc.body)
			field, id, data := fieldError(t, err)
			if field != "body" || id != policy.MsgBlocked || data["Word"] != tc.word {
				t.Errorf("%q: %s %s %v, want body blocked naming %q", tc.body, field, id, data, tc.word)
			}
		}
		_, err := w.svc.CheckPost(testutil.Ctx(), m, policy.Post{CategoryID: w.cat.ID, IsTopic: true, Title: "Le Casino du coin", Body: "Bonjour à tous"})
		if field, _, data := fieldError(t, err); field != "title" || data["Word"] != "Casino" {
			t.Errorf("title: %s %v, want the title blocked naming Casino", field, data)
		}
		// Words are whole words: "casinos" and "class" are fine.
		if _, err := w.check(m, "Two casinos closed; télécharge-le"); err != nil {
			t.Errorf("whole words: %v", err)
		}

		vd, err := w.svc.CheckPost(testutil.Ctx(), m, policy.Post{CategoryID: w.cat.ID, IsTopic: true, Title: "Au secours",
			Body: "Quelle MERDE, cette arnaque CRYPTO de concurrent.com sur iPhone"})
		testutil.Must(t, err, "check")
		if vd.Body != "Quelle ■■■, cette arnaque CRYPTO de [lien retiré] sur iPhone" {
			t.Errorf("body = %q", vd.Body)
		}
		if !slices.Equal(vd.Hold, []string{policy.ReasonWatchedWord}) || !slices.Equal(vd.Flag, []string{policy.ReasonWatchedWord}) ||
			!slices.Equal(vd.Tags, []string{"apple"}) {
			t.Errorf("verdict = %+v", vd)
		}
		// Tag words tag topics as they are started: a reply gets no tag.
		if vd, _ := w.check(m, "Mon iPhone aussi"); vd.Tags != nil {
			t.Errorf("reply tags = %v", vd.Tags)
		}
		vd, err = w.check(m, "Nothing to see here, friends")
		testutil.Must(t, err, "check")
		if vd.Body != "Nothing to see here, friends" || vd.Hold != nil || vd.Flag != nil || vd.Tags != nil || vd.Words != nil {
			t.Errorf("clean post verdict = %+v", vd)
		}
		// Staff skip the limits, never the watched words.
		if _, err := w.check(w.mod.Viewer(), "casino night"); err == nil {
			t.Error("a moderator's post with a blocked word went through")
		}
	})
}

// The block message names the word in the member's language.
func TestBlockedMessageTranslated(t *testing.T) {
	env := testutil.New(t)
	data := map[string]any{"Word": "Télécharger"}
	if got := env.App.Bundle.For("fr").T(policy.MsgBlocked, data); got != "« Télécharger » n'est pas autorisé ici. Merci de le retirer." {
		t.Errorf("fr: %q", got)
	}
	if got := env.App.Bundle.For("en").T(policy.MsgBlocked, data); !strings.Contains(got, "“Télécharger” is not allowed") {
		t.Errorf("en: %q", got)
	}
}

// A change applies to the next post: the compiled list is dropped on every
// create, update and delete, each recorded in the audit log.
func TestChangesApplyAtOnceAndAreAudited(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		ctx, m, lead := testutil.Ctx(), w.member.Viewer(), w.lead.Viewer()
		if _, err := w.check(m, "spam spam spam"); err != nil {
			t.Fatalf("before any word: %v", err)
		}
		wd := w.watch(t, "spam", false, policy.ActionBlock, "")
		if _, err := w.check(m, "spam spam spam"); err == nil {
			t.Fatal("a new block word did not apply to the next post")
		}
		_, err := w.svc.UpdateWord(ctx, lead, wd.ID, policy.WordInput{Pattern: "spam", Action: policy.ActionReplace, Replacement: "ham"})
		testutil.Must(t, err, "update")
		if vd, err := w.check(m, "spam spam spam"); err != nil || vd.Body != "ham ham ham" {
			t.Fatalf("after the change: %q, %v", vd.Body, err)
		}
		testutil.Must(t, w.svc.DeleteWord(ctx, lead, wd.ID), "delete")
		if vd, err := w.check(m, "spam spam spam"); err != nil || vd.Body != "spam spam spam" {
			t.Fatalf("after the delete: %q, %v", vd.Body, err)
		}
		if _, err := w.svc.Word(ctx, lead, wd.ID); !errors.Is(err, errs.NotFound) {
			t.Errorf("deleted word: %v, want not found", err)
		}
		var entries []audit.Entry
		env.App.DB.DB.Where("object_type = ? AND object_id = ?", "watched_word", wd.ID).Order("id").Find(&entries)
		var actions []string
		for _, e := range entries {
			if e.ActorID == nil || *e.ActorID != w.lead.ID {
				t.Errorf("%s: actor %v, want the lead", e.Action, e.ActorID)
			}
			actions = append(actions, e.Action)
		}
		if !slices.Equal(actions, []string{"policy.word_create", "policy.word_update", "policy.word_delete"}) {
			t.Errorf("audit = %v", actions)
		}
		if last := entries[len(entries)-1]; !strings.Contains(last.Before, `"action":"replace"`) || last.After != "" {
			t.Errorf("delete entry keeps %q / %q, want the word before and nothing after", last.Before, last.After)
		}
	})
}

// Bad input gets a clear error on the field at fault.
func TestWordValidation(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		w.watch(t, "casino", false, policy.ActionBlock, "")
		for _, tc := range []struct {
			in        policy.WordInput
			field, id string
			part      string
		}{
			{policy.WordInput{Pattern: "  ", Action: "block"}, "pattern", "policy.error.pattern_required", ""},
			{policy.WordInput{Pattern: strings.Repeat("x", 201), Action: "block"}, "pattern", "policy.error.pattern_long", ""},
			{policy.WordInput{Pattern: "(casino", Regex: true, Action: "block"}, "pattern", "policy.error.regex_invalid", "(casino"},
			{policy.WordInput{Pattern: `casino\`, Regex: true, Action: "block"}, "pattern", "policy.error.regex_invalid", ""},
			{policy.WordInput{Pattern: "a*", Regex: true, Action: "block"}, "pattern", "policy.error.regex_empty", ""},
			{policy.WordInput{Pattern: "$$$", Action: "block"}, "pattern", "policy.error.pattern_word", ""},
			{policy.WordInput{Pattern: "poker", Action: "explode"}, "action", "policy.error.action", ""},
			{policy.WordInput{Pattern: "poker", Action: "replace"}, "replacement", "policy.error.replacement_required", ""},
			{policy.WordInput{Pattern: "poker", Action: "tag"}, "replacement", "policy.error.tag_required", ""},
			{policy.WordInput{Pattern: "poker", Action: "tag", Replacement: "no_underscores!"}, "replacement", "policy.error.tag_format", ""},
			{policy.WordInput{Pattern: "casino", Action: "block"}, "pattern", "policy.error.exists", ""},
		} {
			_, err := w.svc.CreateWord(testutil.Ctx(), w.lead.Viewer(), tc.in)
			field, id, data := fieldError(t, err)
			if field != tc.field || id != tc.id || (tc.part != "" && data["Part"] != tc.part) {
				t.Errorf("%+v: %s %s %v, want %s %s %q", tc.in, field, id, data, tc.field, tc.id, tc.part)
			}
		}
		// A tag is cleaned up as the topic domain's tags are.
		wd := w.watch(t, "iphone", false, policy.ActionTag, "#Apple Phones")
		if wd.Replacement != "apple-phones" {
			t.Errorf("tag = %q, want apple-phones", wd.Replacement)
		}
	})
}

// Only holders of the policy permission (leads, administrators) manage
// watched words.
func TestManagingNeedsThePolicyPermission(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		ctx := testutil.Ctx()
		wd := w.watch(t, "casino", false, policy.ActionBlock, "")
		for _, tc := range []struct {
			who  *auth.Viewer
			kind error
		}{
			{w.adm.Viewer(), nil},
			{w.lead.Viewer(), nil},
			{w.mod.Viewer(), errs.Forbidden},
			{env.UserWithRole(t, "jun", "junior_moderator").Viewer(), errs.Forbidden},
			{env.UserWithRole(t, "eddy", "editor").Viewer(), errs.Forbidden},
			{env.UserWithRole(t, "ana", "analyst").Viewer(), errs.Forbidden},
			{w.member.Viewer(), errs.Forbidden},
			{&auth.Viewer{}, errs.Unauthorized},
		} {
			_, errList := w.svc.Words(ctx, tc.who)
			_, errCreate := w.svc.CreateWord(ctx, tc.who, policy.WordInput{Pattern: "poker " + tc.who.Username, Action: "flag"})
			_, errUpdate := w.svc.UpdateWord(ctx, tc.who, wd.ID, policy.WordInput{Pattern: "casino", Action: "hold"})
			_, errTry := w.svc.Try(ctx, tc.who, "casino")
			for what, err := range map[string]error{"list": errList, "create": errCreate, "update": errUpdate, "try": errTry} {
				if (tc.kind == nil && err != nil) || (tc.kind != nil && !errors.Is(err, tc.kind)) {
					t.Errorf("%s (%s) %s: %v, want %v", tc.who.Username, tc.who.Role, what, err, tc.kind)
				}
			}
		}
		if err := w.svc.DeleteWord(ctx, w.mod.Viewer(), wd.ID); !errors.Is(err, errs.Forbidden) {
			t.Errorf("moderator delete: %v", err)
		}
		testutil.Must(t, w.svc.DeleteWord(ctx, w.lead.Viewer(), wd.ID), "lead delete")
	})
}

func limits(c *config.Config) {
	c.Antispam = config.Default().Antispam
	c.Antispam.PostsPerMinute = config.PerLevel{2, 3, 5, 10, 0}
	c.Antispam.TopicsPerDay = config.PerLevel{1, 10, 20, 50, 0}
	c.Antispam.PostsPerDay = config.PerLevel{0, 4, 250, 500, 0}
	c.Antispam.ScoreThreshold = 0
}

// post writes a topic by u in the forum, with its first post.
func (w *world) post(t *testing.T, u *user.User, title, body string) *topic.Topic {
	t.Helper()
	tp, _, err := w.env.App.Topics.Create(testutil.Ctx(), u.Viewer(), topic.NewTopic{CategoryID: w.cat.ID, Title: title, Body: body})
	testutil.Must(t, err, "topic %q", title)
	return tp
}

// limitError checks err is a rate limit on the body, of kind TooMany, with
// the number allowed.
func limitError(t *testing.T, err error, id string, n int) {
	t.Helper()
	if !errors.Is(err, errs.TooMany) {
		t.Fatalf("err = %v, want too many", err)
	}
	field, got, data := fieldError(t, err)
	if field != "body" || got != id || data["Count"] != n {
		t.Errorf("limit: %s %s %v, want body %s %d", field, got, data, id, n)
	}
}

// Rate limits follow the trust level; staff and edits skip them.
func TestRateLimits(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		ctx := testutil.Ctx()
		tp := w.post(t, w.newbie, "My first question here", "How do I reset my router?")
		// One topic a day at level 0.
		_, err := w.svc.CheckPost(ctx, w.newbie.Viewer(), policy.Post{CategoryID: w.cat.ID, IsTopic: true, Title: "Another question", Body: "And the modem?"})
		limitError(t, err, policy.MsgTopicsDay, 1)
		// Replies still go, up to two posts a minute.
		if _, err := w.check(w.newbie.Viewer(), "Still here, any idea?"); err != nil {
			t.Fatalf("second post of the minute: %v", err)
		}
		_, _, err = env.App.Topics.Reply(ctx, w.newbie.Viewer(), tp.ID, topic.ReplyInput{Body: "Still here, any idea?"})
		testutil.Must(t, err, "reply")
		_, err = w.check(w.newbie.Viewer(), "Hello? Anyone?")
		limitError(t, err, policy.MsgPerMinute, 2)
		// An edit adds no post.
		if _, err := w.svc.CheckPost(ctx, w.newbie.Viewer(), policy.Post{CategoryID: w.cat.ID, TopicID: tp.ID, PostID: 1, Body: "Edited text"}); err != nil {
			t.Errorf("edit: %v", err)
		}
		// A member (level 1) may write three a minute and four a day.
		for i := range 3 {
			w.post(t, w.member, "Member topic number "+string(rune('A'+i)), "Body number "+string(rune('A'+i)))
		}
		_, err = w.check(w.member.Viewer(), "Fourth one")
		limitError(t, err, policy.MsgPerMinute, 3)
		env.App.DB.DB.Exec("UPDATE posts SET created_at = ? WHERE user_id = ?", time.Now().UTC().Add(-time.Hour), w.member.ID)
		w.post(t, w.member, "Member topic number D", "Body number D")
		_, err = w.check(w.member.Viewer(), "Fifth one")
		limitError(t, err, policy.MsgPerDay, 4)
		// Staff are not limited.
		for i := range 3 {
			w.post(t, w.mod, "Moderator topic number "+string(rune('A'+i)), "Body number "+string(rune('A'+i)))
		}
		if _, err := w.check(w.mod.Viewer(), "Fourth one"); err != nil {
			t.Errorf("moderator: %v", err)
		}
	}, limits)
}

// The same text again from the same author within the window is refused;
// after it, it only adds to the spam score.
func TestDuplicatePost(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		w.post(t, w.member, "Selling my old bike", "Selling my old bike, 50 €. Contact me!")
		_, err := w.check(w.member.Viewer(), "selling my OLD bike — 50 €; contact me")
		if field, id, data := fieldError(t, err); field != "body" || id != policy.MsgDuplicate || data["Count"] != 15 {
			t.Errorf("duplicate: %s %s %v", field, id, data)
		}
		// Someone else may say the same.
		if _, err := w.check(w.newbie.Viewer(), "Selling my old bike, 50 €. Contact me!"); err != nil {
			t.Errorf("another author: %v", err)
		}
		env.App.DB.DB.Exec("UPDATE posts SET created_at = ? WHERE user_id = ?", time.Now().UTC().Add(-20*time.Minute), w.member.ID)
		vd, err := w.check(w.member.Viewer(), "Selling my old bike, 50 €. Contact me!")
		testutil.Must(t, err, "after the window")
		if vd.Score != env.App.Config.Antispam.ScoreRepeated {
			t.Errorf("score = %d, want %d for repeated content", vd.Score, env.App.Config.Antispam.ScoreRepeated)
		}
	}, limits)
}

// A member who posts a great deal (here at a level without limits) has
// only their newest posts looked through: the day's 200th post back is
// still read, but not what came before it, so a post costs the same
// however much its author wrote that day.
func TestHistoryReadsTheNewestPosts(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		testutil.Must(t, env.App.DB.DB.Model(&user.User{}).Where("id = ?", w.member.ID).Update("trust_level", 4).Error, "level 4")
		w.member.TrustLevel = 4
		const bike = "Selling my old bike, 50 €. Contact me!"
		tp := w.post(t, w.member, "Selling my old bike", bike)
		// Short posts after it, newer: none of them reads like the bike.
		base := time.Now().UTC().Add(-time.Hour)
		fill := func(from, n int) {
			for i := from; i < from+n; i++ {
				at := base.Add(time.Duration(i) * time.Second)
				testutil.Must(t, env.App.DB.DB.Create(&topic.Post{TopicID: tp.ID, UserID: w.member.ID, Number: 2 + i,
					Body: "Thanks " + strconv.Itoa(i), HTML: "<p>Thanks</p>", State: topic.StatePublished, CreatedAt: at, UpdatedAt: at}).Error, "post %d", i)
			}
		}
		env.App.DB.DB.Exec("UPDATE posts SET created_at = ? WHERE user_id = ?", base.Add(-time.Second), w.member.ID)
		fill(0, 199)
		vd, err := w.check(w.member.Viewer(), bike)
		testutil.Must(t, err, "200 posts back")
		if vd.Score != env.App.Config.Antispam.ScoreRepeated {
			t.Errorf("score = %d, want %d: the same text 200 posts back is repeated content", vd.Score, env.App.Config.Antispam.ScoreRepeated)
		}
		fill(199, 1)
		vd, err = w.check(w.member.Viewer(), bike)
		testutil.Must(t, err, "201 posts back")
		if vd.Score != 0 {
			t.Errorf("score = %d, want 0: a post past the newest 200 is not read", vd.Score)
		}
	}, limits)
}

// A new member's post full of links and repeated words goes to the queue;
// a member's ordinary post with a link does not.
func TestSpamScore(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := newWorld(t, env)
		w.watch(t, "pas cher", false, policy.ActionFlag, "")
		spam := "Achetez pas cher https://a.example https://b.example www.c.example " + strings.Repeat("promo promo ", 30)
		vd, err := w.check(w.newbie.Viewer(), spam)
		testutil.Must(t, err, "check")
		// 3 links + new account 4 + repeated 4 + one flag word 3.
		if vd.Score != 3+4+4+3 || !slices.Contains(vd.Hold, policy.ReasonSpamScore) {
			t.Errorf("spam verdict = %+v, want score 14 held", vd)
		}
		vd, err = w.check(w.member.Viewer(), "The manual is at https://example.com/manual.pdf, page 12.")
		testutil.Must(t, err, "check")
		if vd.Score != 1 || vd.Hold != nil {
			t.Errorf("member verdict = %+v, want score 1, not held", vd)
		}
		// Staff are not scored.
		if vd, _ := w.check(w.mod.Viewer(), spam); vd.Score != 0 || slices.Contains(vd.Hold, policy.ReasonSpamScore) {
			t.Errorf("moderator verdict = %+v", vd)
		}
	}, func(c *config.Config) { c.Antispam = config.Default().Antispam })
}

// BenchmarkCheckPost is the whole check of a typical reply by a member with
// a day of posts behind them, on SQLite (PostgreSQL when
// CAUSERIE_TEST_POSTGRES_URL is set): the watched words (220 of them),
// the two indexed queries of the limits and the duplicate check, and the
// score.
func BenchmarkCheckPost(b *testing.B) {
	dialect := "sqlite"
	if os.Getenv(testutil.PostgresEnv) != "" {
		dialect = "postgres"
	}
	env := testutil.NewOn(b, dialect, func(c *config.Config) {
		c.Antispam = config.Default().Antispam
		big := config.PerLevel{1000, 1000, 1000, 1000, 1000} // the limits are counted, and never reached
		c.Antispam.PostsPerMinute, c.Antispam.PostsPerDay, c.Antispam.TopicsPerDay = big, big, big
	})
	adm := env.UserWithRole(b, "ada", "admin")
	member := env.Member(b, "max")
	cat, err := env.App.Categories.Create(testutil.Ctx(), adm.Viewer(), category.Input{Name: "Bench lounge",
		Read: []string{"everyone"}, Start: []string{"members"}, Reply: []string{"members"}})
	testutil.Must(b, err, "category")
	for i := range 200 {
		_, err := env.App.Policy.CreateWord(testutil.Ctx(), adm.Viewer(), policy.WordInput{Pattern: "motsurveillé" + strconv.Itoa(i), Action: policy.ActionFlag})
		testutil.Must(b, err, "word")
	}
	for i := range 20 {
		_, err := env.App.Policy.CreateWord(testutil.Ctx(), adm.Viewer(), policy.WordInput{Pattern: "spam" + strconv.Itoa(i) + `\d+`, Regex: true, Action: policy.ActionHold})
		testutil.Must(b, err, "regex")
	}
	for i := range 10 {
		_, _, err := env.App.Topics.Create(testutil.Ctx(), member.Viewer(), topic.NewTopic{CategoryID: cat.ID,
			Title: "Earlier topic number " + strconv.Itoa(i), Body: "Some earlier text, number " + strconv.Itoa(i)})
		testutil.Must(b, err, "topic")
	}
	env.App.DB.DB.Exec("UPDATE posts SET created_at = ? WHERE user_id = ?", time.Now().UTC().Add(-2*time.Hour), member.ID)
	v := member.Viewer()
	in := policy.Post{CategoryID: cat.ID, TopicID: 1, Body: benchBody}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.App.Policy.CheckPost(testutil.Ctx(), v, in); err != nil {
			b.Fatal(err)
		}
	}
}

const benchBody = `Bonjour à tous, j'ai eu le même problème avec mon iPhone la semaine dernière. ` +
	`Après la mise à jour, l'application ne démarrait plus du tout. J'ai essayé de la réinstaller, ` +
	`de redémarrer le téléphone et même de réinitialiser les réglages réseau, sans succès. Finalement, c'est le ` +
	`support qui m'a donné la solution : il faut vider le cache depuis les réglages, puis se reconnecter avec son ` +
	`compte. Tout est expliqué ici : https://support.example.com/articles/12345. J'espère que ça vous aidera aussi !`
