package search_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/event"
	"causerie/app/search"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

var ctx = testutil.Ctx()

type world struct {
	env                                  *testutil.Env
	admin, mod, editor, ana, boris, cleo *user.User
	general, members, editors, team      *category.Category
}

func setup(t *testing.T, env *testutil.Env) *world {
	t.Helper()
	w := &world{env: env}
	w.admin = env.UserWithRole(t, "root_admin", "admin")
	w.mod = env.UserWithRole(t, "maud", "moderator")
	w.editor = env.UserWithRole(t, "eddie", "editor")
	w.ana, w.boris, w.cleo = env.Member(t, "ana"), env.Member(t, "boris"), env.Member(t, "cleo")
	var err error
	w.general, err = env.App.Categories.ReadableByID(ctx, &auth.Viewer{}, 1)
	testutil.Must(t, err, "general category")
	mk := func(name string, roles ...string) *category.Category {
		c, err := env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: name, Read: roles, Start: roles, Reply: roles})
		testutil.Must(t, err, "category %s", name)
		return c
	}
	w.members = mk("Members lounge", "members")
	w.editors = mk("Editors desk", "editor")
	w.team = mk("Team room", "moderator")
	return w
}

func (w *world) start(t *testing.T, by *user.User, cat *category.Category, title, body, kind string, tags ...string) *topic.Topic {
	t.Helper()
	tp, _, err := w.env.App.Topics.Create(ctx, by.Viewer(), topic.NewTopic{CategoryID: cat.ID, Title: title, Body: body, Kind: kind, Tags: tags})
	testutil.Must(t, err, "start %q", title)
	return tp
}

func (w *world) reply(t *testing.T, by *user.User, tp *topic.Topic, body string) *topic.Post {
	t.Helper()
	_, p, err := w.env.App.Topics.Reply(ctx, by.Viewer(), tp.ID, topic.ReplyInput{Body: body})
	testutil.Must(t, err, "reply")
	return p
}

// drain runs the index jobs the changes queued.
func (w *world) drain(t *testing.T) {
	t.Helper()
	testutil.Must(t, w.env.App.Jobs.Drain(ctx), "drain jobs")
}

func (w *world) search(t *testing.T, v *auth.Viewer, q string) *search.Results {
	t.Helper()
	res, _, err := w.env.App.Search.Run(ctx, v, search.Input{Q: q})
	testutil.Must(t, err, "search %q", q)
	return res
}

// titles lists the topics found, in order.
func titles(r *search.Results) []string {
	var out []string
	for _, g := range r.Groups {
		out = append(out, plain(string(g.Title)))
	}
	return out
}

func plain(s string) string {
	return strings.NewReplacer("<mark>", "", "</mark>", "", "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", "\"").Replace(s)
}

func expect(t *testing.T, w *world, v *auth.Viewer, q string, want ...string) {
	t.Helper()
	got := titles(w.search(t, v, q))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("search %q found %q, want %q", q, got, want)
	}
}

// English: forms of a word find each other, all words must match,
// phrases keep their order, exclusions leave out, typos are forgiven.
func TestRelevanceEnglish(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		w.start(t, w.ana, w.general, "Running a backup server at home", "I have been running my backup server for a year, with nightly copies.", topic.KindDiscussion)
		w.start(t, w.boris, w.general, "Connection errors with the printer", "The printer drops every connection after a minute over wifi.", topic.KindQuestion)
		w.start(t, w.cleo, w.general, "How to reset my password", "Where do I reset my password? The mail never arrives.", topic.KindQuestion)
		w.start(t, w.ana, w.general, "Printer on the cable", "The printer works fine on the network cable, no problem at all.", topic.KindDiscussion)
		w.drain(t)
		expect(t, w, anon, "runs", "Running a backup server at home")
		expect(t, w, anon, "connections", "Connection errors with the printer")
		expect(t, w, anon, "printer wifi", "Connection errors with the printer")
		expect(t, w, anon, "printer", "Connection errors with the printer", "Printer on the cable")
		expect(t, w, anon, "printer -wifi", "Printer on the cable")
		expect(t, w, anon, `"reset my password"`, "How to reset my password")
		expect(t, w, anon, `"password reset"`)
		expect(t, w, anon, "pasword", "How to reset my password") // a typo in a longer word
		expect(t, w, anon, "the printer is", "Connection errors with the printer", "Printer on the cable")
		expect(t, w, anon, "back", "Running a backup server at home") // still typing: a prefix
		expect(t, w, anon, "back ")                                   // a whole word: no prefix
		expect(t, w, anon, "zebra")
		// Titles weigh more than text: the topic named for the printer comes first.
		if got := titles(w.search(t, anon, "printer cable")); len(got) == 0 || got[0] != "Printer on the cable" {
			t.Errorf("printer cable: %q, want the topic titled so first", got)
		}
		// The fragment marks the words found and escapes the rest.
		r := w.search(t, anon, "nightly")
		if len(r.Groups) != 1 || !strings.Contains(string(r.Groups[0].Best.Fragment), "<mark>nightly</mark>") {
			t.Fatalf("fragment of nightly: %+v", r.Groups)
		}
	})
}

// French: plurals, accents and elisions do not matter.
func TestRelevanceFrench(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		w.start(t, w.ana, w.general, "Problème de connexion au serveur", "Depuis hier, je n’arrive plus à me connecter : la connexion est refusée par le serveur.", topic.KindQuestion)
		w.start(t, w.boris, w.general, "Comment télécharger la mise à jour ?", "Je voudrais télécharger la dernière version mais le lien ne marche pas chez moi.", topic.KindQuestion)
		w.start(t, w.cleo, w.general, "Les imprimantes de l'étage", "L'imprimante du deuxième étage est en panne, et celle du premier aussi.", topic.KindDiscussion)
		w.drain(t)
		expect(t, w, anon, "connexions", "Problème de connexion au serveur")
		expect(t, w, anon, "telecharger", "Comment télécharger la mise à jour ?")
		expect(t, w, anon, "TÉLÉCHARGER", "Comment télécharger la mise à jour ?")
		expect(t, w, anon, "probleme serveur", "Problème de connexion au serveur")
		expect(t, w, anon, "imprimante etage", "Les imprimantes de l'étage")
		expect(t, w, anon, `"mise à jour"`, "Comment télécharger la mise à jour ?")
		expect(t, w, anon, `"jour à mise"`)
		expect(t, w, anon, "serveur -connexion")
		expect(t, w, anon, "la connexion est", "Problème de connexion au serveur") // French stop words are not required
	})
}

// Chinese, Japanese and Korean text, which has no spaces, is found by
// its words.
func TestCJK(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		w.start(t, w.ana, w.general, "数据库连接失败怎么办", "我的数据库连接总是失败，服务器日志里没有任何错误信息。", topic.KindQuestion)
		w.start(t, w.boris, w.general, "データベースに接続できません", "昨日からデータベースに接続できません。設定を確認しました。", topic.KindQuestion)
		w.start(t, w.cleo, w.general, "서버 설치 방법", "리눅스 서버에 설치하는 방법을 알려주세요.", topic.KindQuestion)
		w.drain(t)
		expect(t, w, anon, "数据库", "数据库连接失败怎么办")
		expect(t, w, anon, "错误信息", "数据库连接失败怎么办")
		expect(t, w, anon, "データベース", "データベースに接続できません")
		expect(t, w, anon, "설치", "서버 설치 방법")
		expect(t, w, anon, "数据库 -失败")
	})
}

// Each filter of the query syntax, and the sorts.
func TestFilters(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		other, err := env.App.Categories.Create(ctx, w.admin.Viewer(), category.Input{Name: "Hardware"})
		testutil.Must(t, err, "category")
		q1 := w.start(t, w.ana, w.general, "Router keeps rebooting", "My router reboots every night at three.", topic.KindQuestion, "network")
		answer := w.reply(t, w.boris, q1, "Update the router firmware, it fixed the rebooting for me.")
		_, err = env.App.Topics.Accept(ctx, w.ana.Viewer(), q1.ID, answer.ID)
		testutil.Must(t, err, "accept")
		w.start(t, w.boris, other, "Router fan is loud", "The router fan is loud at night.", topic.KindQuestion, "hardware")
		d := w.start(t, w.cleo, other, "Router shopping list", "Which router should I buy for a small flat?", topic.KindDiscussion, "network")
		w.drain(t)
		env.App.DB.Exec("UPDATE topics SET closed = ? WHERE id = ?", true, d.ID)
		testutil.Must(t, env.App.Search.IndexTopic(ctx, d.ID), "reindex closed topic")
		all := []string{"Router keeps rebooting", "Router fan is loud", "Router shopping list"}
		expect(t, w, anon, "router", all...)
		expect(t, w, anon, "router @boris", "Router keeps rebooting", "Router fan is loud")
		expect(t, w, anon, "@cleo", "Router shopping list")
		expect(t, w, anon, "router #network", "Router keeps rebooting", "Router shopping list")
		expect(t, w, anon, "router #network #hardware")
		expect(t, w, anon, "router category:"+other.Slug, "Router fan is loud", "Router shopping list")
		expect(t, w, anon, "router category:nowhere")
		expect(t, w, anon, "night in:title")
		expect(t, w, anon, "loud in:title", "Router fan is loud")
		expect(t, w, anon, "router is:question", "Router keeps rebooting", "Router fan is loud")
		expect(t, w, anon, "router is:solved", "Router keeps rebooting")
		expect(t, w, anon, "router is:unsolved", "Router fan is loud")
		expect(t, w, anon, "router kind:discussion", "Router shopping list")
		expect(t, w, anon, "router status:closed", "Router shopping list")
		expect(t, w, anon, "router status:open", "Router keeps rebooting", "Router fan is loud")
		today := time.Now().UTC().Format(time.DateOnly)
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		expect(t, w, anon, "router before:"+yesterday)
		expect(t, w, anon, "router after:"+yesterday, all...)
		expect(t, w, anon, "router before:"+tomorrow, all...)
		expect(t, w, anon, "router after:"+today)
		// The accepted answer is the best post of its topic.
		r := w.search(t, anon, "router firmware rebooting")
		if len(r.Groups) != 1 || r.Groups[0].Best.PostID != answer.ID || !r.Groups[0].Best.Accepted {
			t.Errorf("best post of the solved topic: %+v", r.Groups)
		}
		// Malformed filters say what to fix, on the query field.
		for _, q := range []string{"router before:yesterday", "is:famous", "status:maybe", "in:body", "kind:poll"} {
			if _, _, err := env.App.Search.Run(ctx, anon, search.Input{Q: q}); err == nil || !strings.Contains(err.Error(), "q: search.bad_") {
				t.Errorf("%q: err %v, want a field error on q", q, err)
			}
		}
		if _, _, err := env.App.Search.Run(ctx, anon, search.Input{Q: "router", Sort: "random"}); err == nil || !strings.Contains(err.Error(), "sort") {
			t.Errorf("sort=random: %v", err)
		}
		// Newest first.
		res, _, err := env.App.Search.Run(ctx, anon, search.Input{Q: "router", Sort: search.SortNewest})
		testutil.Must(t, err, "newest")
		if got := titles(res); len(got) != 3 || got[0] != "Router shopping list" {
			t.Errorf("newest first: %q", got)
		}
		// Most reactions first.
		_, err = env.App.Topics.React(ctx, w.cleo.Viewer(), answer.ID, env.App.Topics.Reactions()[0])
		testutil.Must(t, err, "react")
		w.drain(t)
		res, _, err = env.App.Search.Run(ctx, anon, search.Input{Q: "router", Sort: search.SortReactions})
		testutil.Must(t, err, "reactions")
		if len(res.Groups) == 0 || res.Groups[0].Best.PostID != answer.ID {
			t.Errorf("most reactions first: %q", titles(res))
		}
		// Facets count what matched, per category, tag and kind.
		facets := w.search(t, anon, "router").Facets
		if c := facetCount(facets.Categories, other.Slug); c != 2 {
			t.Errorf("category facet %s = %d, want 2", other.Slug, c)
		}
		if c := facetCount(facets.Tags, "network"); c != 3 { // the question, its answer, the discussion
			t.Errorf("tag facet network = %d, want 3", c)
		}
		if c := facetCount(facets.Kinds, "question"); c != 3 {
			t.Errorf("kind facet question = %d, want 3", c)
		}
	})
}

func facetCount(fs []search.Facet, value string) int {
	for _, f := range fs {
		if f.Value == value {
			return f.Count
		}
	}
	return 0
}

// The permission matrix: for each role, results, facet counts, fragments
// and suggestions show only what the role may read.
func TestPermissionMatrix(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		pub := w.start(t, w.ana, w.general, "Zanzibar trip in public", "Zanzibar is lovely in June.", topic.KindDiscussion)
		w.start(t, w.ana, w.members, "Zanzibar trip for members", "Zanzibar members meet-up.", topic.KindDiscussion)
		w.start(t, w.editor, w.editors, "Zanzibar trip for editors", "Zanzibar editorial calendar.", topic.KindDiscussion)
		w.start(t, w.mod, w.team, "Zanzibar trip for the team", "Zanzibar team offsite.", topic.KindDiscussion)
		hidden := w.reply(t, w.boris, pub, "Zanzibar secret hidden reply with quokka.")
		deleted := w.reply(t, w.boris, pub, "Zanzibar deleted reply with wombat.")
		w.drain(t)
		// Moderation hides one reply (in its transaction, with the event).
		testutil.Must(t, env.App.DB.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("UPDATE posts SET state = 'hidden' WHERE id = ?", hidden.ID).Error; err != nil {
				return err
			}
			return env.App.Events.PublishTx(ctx, tx, event.ContentChanged{TopicID: pub.ID, PostIDs: []int64{hidden.ID}, Action: "post.hide"})
		}), "hide")
		testutil.Must(t, env.App.Topics.Delete(ctx, w.boris.Viewer(), deleted.ID), "delete")
		w.drain(t)
		for _, tc := range []struct {
			who  string
			v    *auth.Viewer
			want []string
		}{
			{"visitor", &auth.Viewer{}, []string{"Zanzibar trip in public"}},
			{"member", w.cleo.Viewer(), []string{"Zanzibar trip in public", "Zanzibar trip for members"}},
			{"editor", w.editor.Viewer(), []string{"Zanzibar trip in public", "Zanzibar trip for members", "Zanzibar trip for editors"}},
			{"moderator", w.mod.Viewer(), []string{"Zanzibar trip in public", "Zanzibar trip for members", "Zanzibar trip for the team"}},
			{"admin", w.admin.Viewer(), []string{"Zanzibar trip in public", "Zanzibar trip for members", "Zanzibar trip for editors", "Zanzibar trip for the team"}},
		} {
			t.Run(tc.who, func(t *testing.T) {
				expect(t, w, tc.v, "zanzibar", tc.want...)
				r := w.search(t, tc.v, "zanzibar")
				if r.Posts != len(tc.want) {
					t.Errorf("%s: %d posts counted, want %d (hidden, deleted and unreadable posts must not count)", tc.who, r.Posts, len(tc.want))
				}
				total := 0
				for _, f := range r.Facets.Categories {
					total += f.Count
					if f.Value == w.team.Slug && !slices.Contains(tc.want, "Zanzibar trip for the team") ||
						f.Value == w.editors.Slug && !slices.Contains(tc.want, "Zanzibar trip for editors") {
						t.Errorf("%s: facet shows the category %s", tc.who, f.Value)
					}
				}
				if total != len(tc.want) {
					t.Errorf("%s: category facets count %d, want %d", tc.who, total, len(tc.want))
				}
				for _, g := range r.Groups {
					if strings.Contains(string(g.Best.Fragment), "quokka") || strings.Contains(string(g.Best.Fragment), "wombat") {
						t.Errorf("%s: a fragment shows a hidden or deleted post", tc.who)
					}
				}
				// Hidden and deleted posts are found by nobody, staff included
				// (staff see them on the topic page, not in search).
				expect(t, w, tc.v, "quokka")
				expect(t, w, tc.v, "wombat")
				// Suggestions too.
				ss, err := env.App.Search.Suggest(ctx, tc.v, "zanzi", 10)
				testutil.Must(t, err, "suggest")
				if len(ss) != len(tc.want) {
					t.Errorf("%s: %d suggestions, want %d", tc.who, len(ss), len(tc.want))
				}
				for _, s := range ss {
					if !slices.Contains(tc.want, s.Title) {
						t.Errorf("%s: suggestion %q leaks", tc.who, s.Title)
					}
				}
				// Naming a category one may not read finds nothing, as an unknown one.
				expect(t, w, tc.v, "zanzibar category:"+w.team.Slug, filter(tc.want, "Zanzibar trip for the team")...)
			})
		}
		// Restoring the deleted reply brings it back.
		testutil.Must(t, env.App.Topics.Restore(ctx, w.mod.Viewer(), deleted.ID), "restore")
		w.drain(t)
		expect(t, w, w.cleo.Viewer(), "wombat", "Zanzibar trip in public")
		// A category whose readers change is searched with the new rights at
		// once: members lose the lounge, no reindexing needed.
		testutil.Must(t, env.App.DB.Exec("DELETE FROM category_permissions WHERE category_id = ? AND action = 'read'", w.members.ID).Error, "revoke")
		testutil.Must(t, env.App.DB.Exec("INSERT INTO category_permissions (category_id, role, action) VALUES (?, 'moderator', 'read')", w.members.ID).Error, "grant")
		env.App.Categories.Invalidate()
		expect(t, w, w.cleo.Viewer(), "zanzibar", "Zanzibar trip in public")
		// A topic moved into a private category follows it.
		testutil.Must(t, env.App.DB.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("UPDATE topics SET category_id = ? WHERE id = ?", w.team.ID, pub.ID).Error; err != nil {
				return err
			}
			return env.App.Events.PublishTx(ctx, tx, event.ContentChanged{TopicID: pub.ID, Action: "topic.move"})
		}), "move")
		w.drain(t)
		expect(t, w, w.cleo.Viewer(), "zanzibar")
		expect(t, w, &auth.Viewer{}, "wombat")
		expect(t, w, w.mod.Viewer(), "wombat", "Zanzibar trip in public")
	})
}

func filter(list []string, only string) []string {
	if slices.Contains(list, only) {
		return []string{only}
	}
	return nil
}

// Changes reach the index through their events: edits, purges, merges.
func TestSync(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		a := w.start(t, w.ana, w.general, "Keyboard layout question", "Which keyboard layout do you use for accents?", topic.KindQuestion)
		p := w.reply(t, w.boris, a, "I use the bépo layout every day.")
		b := w.start(t, w.cleo, w.general, "Layouts again", "Another thread on dvorak layouts.", topic.KindDiscussion)
		w.drain(t)
		expect(t, w, anon, "bepo", "Keyboard layout question")
		_, err := env.App.Topics.Edit(ctx, w.boris.Viewer(), p.ID, topic.EditInput{Body: "I use the colemak layout every day."})
		testutil.Must(t, err, "edit")
		w.drain(t)
		expect(t, w, anon, "bepo")
		expect(t, w, anon, "colemak", "Keyboard layout question")
		// Purged for good.
		testutil.Must(t, env.App.DB.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("DELETE FROM posts WHERE id = ?", p.ID).Error; err != nil {
				return err
			}
			return env.App.Events.PublishTx(ctx, tx, event.PostPurged{PostID: p.ID, TopicID: a.ID})
		}), "purge")
		w.drain(t)
		expect(t, w, anon, "colemak")
		// Merged: b's posts move into a, and b is removed.
		testutil.Must(t, env.App.DB.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("UPDATE posts SET topic_id = ?, number = number + 100 WHERE topic_id = ?", a.ID, b.ID).Error; err != nil {
				return err
			}
			if err := tx.Exec("UPDATE topics SET state = 'deleted' WHERE id = ?", b.ID).Error; err != nil {
				return err
			}
			return env.App.Events.PublishTx(ctx, tx, event.TopicRemoved{TopicID: b.ID, IntoTopicID: a.ID})
		}), "merge")
		w.drain(t)
		r := w.search(t, anon, "dvorak")
		if len(r.Groups) != 1 || r.Groups[0].TopicID != a.ID {
			t.Errorf("after the merge, dvorak is in %+v, want topic %d", r.Groups, a.ID)
		}
		// Similar topics while composing come from the index, by meaning of
		// the words (stems), among readable topics.
		sim, err := env.App.Topics.Similar(ctx, anon, "Choosing a keyboard layout")
		testutil.Must(t, err, "similar")
		if len(sim) == 0 || sim[0].ID != a.ID {
			t.Errorf("similar to a keyboard layout title: %+v", sim)
		}
		w.start(t, w.mod, w.team, "Keyboard layouts for the team", "Team keyboards.", topic.KindDiscussion)
		w.drain(t)
		sim, err = env.App.Topics.Similar(ctx, w.cleo.Viewer(), "keyboard layouts")
		testutil.Must(t, err, "similar")
		for _, s := range sim {
			if s.CategoryID == w.team.ID {
				t.Errorf("similar topics show a private topic to a member")
			}
		}
	})
}

// Searching inside one topic finds its posts only, each on its own.
func TestInTopic(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		a := w.start(t, w.ana, w.general, "Garden diary", "Planted tomatoes today.", topic.KindDiscussion)
		w.reply(t, w.boris, a, "My tomatoes got blight last year.")
		w.reply(t, w.cleo, a, "Tomatoes love sun.")
		w.start(t, w.ana, w.general, "Tomato sauce recipe", "Tomatoes, garlic and basil.", topic.KindDiscussion)
		priv := w.start(t, w.mod, w.team, "Team tomatoes", "Tomatoes for the team.", topic.KindDiscussion)
		w.drain(t)
		res, ref, err := env.App.Search.Run(ctx, w.cleo.Viewer(), search.Input{Q: "tomatoes", Topic: fmt.Sprint(a.ID)})
		testutil.Must(t, err, "in topic")
		if ref == nil || ref.ID != a.ID || len(res.Groups) != 3 {
			t.Fatalf("in topic: %d results, %+v", len(res.Groups), ref)
		}
		for _, g := range res.Groups {
			if g.TopicID != a.ID {
				t.Errorf("a result from topic %d", g.TopicID)
			}
		}
		if _, _, err := env.App.Search.Run(ctx, w.cleo.Viewer(), search.Input{Q: "tomatoes", Topic: fmt.Sprint(priv.ID)}); err == nil {
			t.Errorf("a member searched inside a private topic")
		}
	})
}

// Pages and API: the page, the help, the API (checked against the
// OpenAPI document), and the staff's search terms.
func TestPagesAndAPI(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		w.start(t, w.ana, w.general, "Bicycle <b>repair</b> tips", "Fix a puncture with a patch & glue <script>alert(1)</script>.", topic.KindDiscussion, "bikes")
		w.start(t, w.mod, w.team, "Bicycle budget for the team", "Team bicycle budget.", topic.KindDiscussion)
		w.drain(t)
		c := env.Client()
		r := c.Get(t, "/search?q="+url.QueryEscape("puncture"))
		if r.StatusCode != 200 || !strings.Contains(r.Body, "<mark>puncture</mark>") || strings.Contains(r.Body, "<script>alert") ||
			!strings.Contains(r.Body, "Bicycle &lt;b&gt;repair&lt;/b&gt; tips") {
			t.Errorf("search page: %d\n%s", r.StatusCode, r.Body)
		}
		r = c.Get(t, "/search?q="+url.QueryEscape("bicycle"))
		if strings.Contains(r.Body, "budget") || strings.Contains(r.Body, w.team.Name) {
			t.Errorf("the search page shows a private topic to a visitor")
		}
		if !strings.Contains(r.Body, "/search?q=bicycle&#43;category%3A"+w.general.Slug) {
			t.Errorf("no category facet link on the page:\n%s", r.Body)
		}
		r = c.Get(t, "/search?q="+url.QueryEscape("bicycle before:someday"))
		if r.StatusCode != 422 || !strings.Contains(r.Body, "YYYY-MM-DD") || !strings.Contains(r.Body, `value="bicycle before:someday"`) {
			t.Errorf("bad date: %d, want 422 with the message next to the query kept", r.StatusCode)
		}
		if r := c.Get(t, "/search/help"); r.StatusCode != 200 || !strings.Contains(r.Body, "in:title") {
			t.Errorf("help page: %d", r.StatusCode)
		}
		// API.
		r = c.Get(t, "/api/v1/search?q=bicycle")
		if r.StatusCode != 200 || !strings.Contains(r.Body, `"posts":1`) || strings.Contains(r.Body, "budget") {
			t.Errorf("api search: %d %s", r.StatusCode, r.Body)
		}
		r = c.Get(t, "/api/v1/search/suggest?q=bicy")
		if r.StatusCode != 200 || !strings.Contains(r.Body, "Bicycle") || strings.Contains(r.Body, "budget") {
			t.Errorf("api suggest: %d %s", r.StatusCode, r.Body)
		}
		if r := c.Get(t, "/api/v1/search?q=x&page=0"); r.StatusCode != 422 {
			t.Errorf("page=0: %d", r.StatusCode)
		}
		// Search terms: recorded without who, shown to staff only.
		c.Get(t, "/search?q=unicorn+saddle")
		var cols []string
		testutil.Must(t, env.App.DB.Raw("SELECT term FROM search_terms WHERE term = 'unicorn saddle' AND empty = 1").Pluck("term", &cols).Error, "terms")
		if len(cols) != 1 {
			t.Errorf("the empty search was not recorded: %v", cols)
		}
		if r := c.Get(t, "/search/terms"); r.StatusCode != 403 {
			t.Errorf("visitor on /search/terms: %d", r.StatusCode)
		}
		m := env.Client()
		m.Login(t, "cleo")
		if r := m.Get(t, "/search/terms"); r.StatusCode != 403 {
			t.Errorf("member on /search/terms: %d", r.StatusCode)
		}
		s := env.Client()
		s.Login(t, "maud")
		if r := s.Get(t, "/search/terms"); r.StatusCode != 200 || !strings.Contains(r.Body, "unicorn saddle") {
			t.Errorf("moderator on /search/terms: %d", r.StatusCode)
		}
	})
}

// A phrase is checked on the best posts having all its words (the
// candidates), not on every one: what is found still has the phrase, a
// private post stays out, the total past the candidates is an estimate,
// and a rare phrase of common words is still found, exactly counted.
func TestPhraseCandidates(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		search.SetPhraseCandidates(env.App.Search, 50)
		phrase := map[string]bool{}
		for i := range 45 {
			title := fmt.Sprintf("Kitchen note %d", i)
			phrase[title] = true
			w.start(t, w.ana, w.general, title, fmt.Sprintf("Back to factory settings, router reset, step %d.", i), topic.KindDiscussion)
		}
		for i := range 30 {
			w.start(t, w.boris, w.general, fmt.Sprintf("Garden note %d", i),
				fmt.Sprintf("The settings menu came from the factory, and the router needs a reset, step %d.", i), topic.KindDiscussion)
		}
		w.start(t, w.cleo, w.general, "The one to find", "Please reset the router before anything else.", topic.KindQuestion)
		w.start(t, w.mod, w.team, "Team factory", "Team back to factory settings.", topic.KindDiscussion)
		w.drain(t)

		res := w.search(t, anon, `"factory settings"`)
		if len(res.Groups) != search.PerPage || !res.HasNext {
			t.Fatalf(`"factory settings": %d topics (next page %v), want a full page and more`, len(res.Groups), res.HasNext)
		}
		for _, title := range titles(res) {
			if !phrase[title] {
				t.Errorf(`"factory settings" found %q, which has the words apart (or is private)`, title)
			}
		}
		// 75 public posts have both words, 50 were checked: an estimate.
		if !res.Facets.Approx || !res.PostsApprox || res.Posts < 45 || res.Posts > 75 {
			t.Errorf(`"factory settings": %d posts (approximate %v), want an estimate between 45 and 75`, res.Posts, res.Facets.Approx)
		}
		if n := facetCount(res.Facets.Categories, w.team.Slug); n != 0 {
			t.Errorf("the private category is counted: %d", n)
		}
		if page := env.Client().Get(t, "/search?q=%22factory+settings%22"); !strings.Contains(page.Body, "About ") {
			t.Error(`the search page gives the estimated count of "factory settings" as exact`)
		}
		var all []string
		for page := 1; page <= 3; page++ {
			r, _, err := env.App.Search.Run(ctx, anon, search.Input{Q: `"factory settings"`, Page: fmt.Sprint(page)})
			testutil.Must(t, err, "page %d", page)
			all = append(all, titles(r)...)
		}
		slices.Sort(all)
		if len(slices.Compact(all)) != 45 {
			t.Errorf(`"factory settings" over three pages: %d topics, want the 45 with the phrase`, len(all))
		}

		newest, _, err := env.App.Search.Run(ctx, anon, search.Input{Q: `"factory settings"`, Sort: search.SortNewest})
		testutil.Must(t, err, "newest")
		got := titles(newest)
		if len(got) != search.PerPage || got[0] != "Kitchen note 44" {
			t.Errorf(`"factory settings", newest first: %q`, got)
		}
		for _, title := range got {
			if !phrase[title] {
				t.Errorf(`"factory settings", newest first, found %q`, title)
			}
		}

		res = w.search(t, anon, `"reset the router"`)
		if got := titles(res); len(got) != 1 || got[0] != "The one to find" || res.Posts != 1 || res.Facets.Approx || res.PostsApprox {
			t.Errorf(`"reset the router": %q, %d posts (approximate %v), want the one topic, exactly`, got, res.Posts, res.Facets.Approx)
		}
		// A phrase of stop words only asks for nothing: no candidates to check.
		if _, _, err := env.App.Search.Run(ctx, anon, search.Input{Q: `"of the"`}); err != nil {
			t.Errorf(`"of the": %v`, err)
		}
	})
}

// A query's own filters are required with its words but weigh nothing:
// the posts they keep come in the order the words alone give them.
func TestFiltersKeepTheOrder(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		bodies := []string{
			"Backup.",
			"A backup of the photos, then a backup of the mail, then one more backup.",
			"The nightly backup ran.",
			"Nothing about it here, except one backup at the very end of a long and winding text about gardens.",
		}
		byAna := map[string]bool{}
		for i, b := range bodies {
			title := fmt.Sprintf("Notes %d by ana", i)
			byAna[title] = true
			w.start(t, w.ana, w.general, title, b, topic.KindQuestion, "backups")
			w.start(t, w.boris, w.general, fmt.Sprintf("Notes %d by boris", i), b+" And backup again.", topic.KindDiscussion)
		}
		w.drain(t)
		var want []string
		for _, title := range titles(w.search(t, anon, "backup ")) {
			if byAna[title] {
				want = append(want, title)
			}
		}
		for _, q := range []string{"backup @ana ", "backup #backups ", "backup is:question ", "backup kind:question ",
			"backup is:unsolved ", "backup @ana #backups is:unsolved status:open "} {
			if got := titles(w.search(t, anon, q)); !slices.Equal(got, want) {
				t.Errorf("%q found %q, want the order of the words alone: %q", q, got, want)
			}
		}
	})
}

// The best posts of a query can all be in one topic: the first page
// still lists a full page of topics, each once, and its facets count every
// matching post the reader may read, exactly, when fewer than the facets'
// sample match (docs/search.md, "Queries").
func TestOneTopicTakesTheBestHits(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		anon := &auth.Viewer{}
		busy := w.start(t, w.ana, w.general, "Zephyr zephyr zephyr", "Zephyr zephyr zephyr.", topic.KindDiscussion, "wind")
		for range 140 {
			w.reply(t, w.boris, busy, "Zephyr zephyr zephyr.")
		}
		for i := range 25 {
			w.start(t, w.cleo, w.general, fmt.Sprintf("Garden note %d", i),
				fmt.Sprintf("A long note about the garden, the roses, the hedge and, once, a zephyr, step %d.", i), topic.KindQuestion)
		}
		w.start(t, w.mod, w.team, "Team zephyr", "Zephyr zephyr zephyr in the team room.", topic.KindDiscussion, "wind")
		w.drain(t)

		res := w.search(t, anon, "zephyr ")
		if len(res.Groups) != search.PerPage || !res.HasNext {
			t.Fatalf("zephyr: %d topics (next page %v), want a full page and more", len(res.Groups), res.HasNext)
		}
		if got := titles(res)[0]; got != "Zephyr zephyr zephyr" || res.Groups[0].Others != 140 {
			t.Errorf("zephyr: first %q with %d other posts, want the busy topic with its 140 replies", got, res.Groups[0].Others)
		}
		if res.Posts != 166 || res.PostsApprox || res.Facets.Approx {
			t.Errorf("zephyr: %d posts (approximate %v, facets %v), want 166, exactly", res.Posts, res.PostsApprox, res.Facets.Approx)
		}
		if n := facetCount(res.Facets.Categories, w.general.Slug); n != 166 {
			t.Errorf("zephyr: %d posts in %s, want 166", n, w.general.Slug)
		}
		if n := facetCount(res.Facets.Categories, w.team.Slug); n != 0 {
			t.Errorf("the private category is counted: %d", n)
		}
		if n := facetCount(res.Facets.Tags, "wind"); n != 141 {
			t.Errorf("zephyr: %d posts tagged wind, want the busy topic's 141", n)
		}
		if n := facetCount(res.Facets.Kinds, topic.KindQuestion); n != 25 {
			t.Errorf("zephyr: %d questions, want 25", n)
		}
		seen := map[string]bool{}
		for page := 1; page <= 2; page++ {
			r, _, err := env.App.Search.Run(ctx, anon, search.Input{Q: "zephyr ", Page: fmt.Sprint(page)})
			testutil.Must(t, err, "page %d", page)
			for _, title := range titles(r) {
				if seen[title] {
					t.Errorf("page %d shows %q again", page, title)
				}
				seen[title] = true
			}
		}
		if len(seen) != 26 {
			t.Errorf("zephyr over two pages: %d topics, want 26", len(seen))
		}
	})
}
