package topic_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"causerie/app/testutil"
	"causerie/app/topic"
)

// A page's posts, read column by column (Store.Posts), are the posts GORM
// reads, with every field: a field added to Post and not to the page's
// query fails here.
func TestScanPostsReadsEveryField(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "Every field of a post", topic.KindDiscussion)
		ctx := testutil.Ctx()
		_, reply, err := env.App.Topics.Reply(ctx, w.boris.Viewer(), tp.ID, topic.ReplyInput{Body: "A reply with **every** field set", ReplyTo: 1})
		testutil.Must(t, err, "reply")
		now := time.Now().UTC().Truncate(time.Second)
		testutil.Must(t, env.App.DB.Exec(`UPDATE posts SET official = ?, reactions_count = 3, revisions_count = 2, deleted_by_id = ?, deleted_at = ?,
			hidden_reason = 'why', hidden_by_id = ?, hidden_at = ?, edited_at = ? WHERE id = ?`,
			true, w.admin.ID, now, w.mod.ID, now, now, reply.ID).Error, "set every field")
		var want []*topic.Post
		testutil.Must(t, env.App.DB.Where("topic_id = ?", tp.ID).Order("number").Find(&want).Error, "GORM")
		got, err := topic.NewStore(env.App.DB.DB).Posts(ctx, tp.ID, 1, 20)
		testutil.Must(t, err, "Store.Posts")
		if len(got) != 2 || len(want) != 2 {
			t.Fatalf("%d and %d posts", len(got), len(want))
		}
		for i := range got {
			g, w := reflect.ValueOf(*got[i]), reflect.ValueOf(*want[i])
			for f := 0; f < g.NumField(); f++ {
				name := g.Type().Field(f).Name
				a, b := g.Field(f).Interface(), w.Field(f).Interface()
				if !sameValue(a, b) {
					t.Errorf("post %d: %s is %v, GORM reads %v", i+1, name, a, b)
				}
				if g.Field(f).IsZero() && i == 1 {
					t.Errorf("post 2: %s is empty: the test sets every field", name)
				}
			}
		}
		// The same posts read with their authors in one statement.
		withAuthors, authors, err := topic.NewStore(env.App.DB.DB).PostsWithAuthors(ctx, tp.ID, 1, 20)
		testutil.Must(t, err, "Store.PostsWithAuthors")
		if len(withAuthors) != 2 {
			t.Fatalf("PostsWithAuthors: %d posts, want 2", len(withAuthors))
		}
		for i := range withAuthors {
			g, w := reflect.ValueOf(*withAuthors[i]), reflect.ValueOf(*want[i])
			for f := 0; f < g.NumField(); f++ {
				if a, b := g.Field(f).Interface(), w.Field(f).Interface(); !sameValue(a, b) {
					t.Errorf("PostsWithAuthors, post %d: %s is %v, GORM reads %v", i+1, g.Type().Field(f).Name, a, b)
				}
			}
			if u := authors[withAuthors[i].UserID]; u == nil || u.ID != want[i].UserID || u.Username == "" || u.CreatedAt.IsZero() {
				t.Errorf("PostsWithAuthors, post %d: author %+v, want member %d", i+1, u, want[i].UserID)
			}
		}
		if authors[w.ana.ID].Username != "ana" || authors[w.boris.ID].Username != "boris" {
			t.Errorf("authors %v, want ana and boris", authors)
		}
		if n := reflect.TypeOf(topic.Post{}).NumField(); n != len(strings.Split(topic.PostColumns, ",")) {
			t.Errorf("Post has %d fields and the page reads %d columns", n, len(strings.Split(topic.PostColumns, ",")))
		}
	})
}

// sameValue compares two field values, times by the instant they name.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		return x.Equal(b.(time.Time))
	case *time.Time:
		y := b.(*time.Time)
		return (x == nil) == (y == nil) && (x == nil || x.Equal(*y))
	}
	return reflect.DeepEqual(a, b)
}

// A topic read column by column (Store.Topic) is the topic GORM reads,
// with every field: a field added to Topic and not to topicColumns fails
// here.
func TestScanTopicReadsEveryField(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		w := setup(t, env)
		tp := w.start(t, w.ana, w.general, "Every field of a topic", topic.KindQuestion)
		other := w.start(t, w.boris, w.general, "Merged into this one", topic.KindDiscussion)
		ctx := testutil.Ctx()
		_, reply, err := env.App.Topics.Reply(ctx, w.boris.Viewer(), tp.ID, topic.ReplyInput{Body: "The answer"})
		testutil.Must(t, err, "reply")
		now := time.Now().UTC().Truncate(time.Second)
		testutil.Must(t, env.App.DB.Exec(`UPDATE topics SET pinned = 2, closed = ?, archived = ?, featured_at = ?, accepted_post_id = ?,
			merged_into_id = ?, reactions_count = 4, views_count = 9 WHERE id = ?`,
			true, true, now, reply.ID, other.ID, tp.ID).Error, "set every field")
		var want topic.Topic
		testutil.Must(t, env.App.DB.Where("id = ?", tp.ID).Take(&want).Error, "GORM")
		got, err := topic.NewStore(env.App.DB.DB).Topic(ctx, tp.ID)
		testutil.Must(t, err, "Store.Topic")
		g, wv := reflect.ValueOf(*got), reflect.ValueOf(want)
		for f := 0; f < g.NumField(); f++ {
			name := g.Type().Field(f).Name
			if a, b := g.Field(f).Interface(), wv.Field(f).Interface(); !sameValue(a, b) {
				t.Errorf("%s is %v, GORM reads %v", name, a, b)
			}
			if g.Field(f).IsZero() {
				t.Errorf("%s is empty: the test sets every field", name)
			}
		}
		if n := reflect.TypeOf(topic.Topic{}).NumField(); n != len(strings.Split(topic.TopicColumns, ",")) {
			t.Errorf("Topic has %d fields and Store.Topic reads %d columns", n, len(strings.Split(topic.TopicColumns, ",")))
		}
		if _, err := topic.NewStore(env.App.DB.DB).Topic(ctx, 999999); err != topic.ErrNotFound {
			t.Errorf("a topic that is not there: %v, want ErrNotFound", err)
		}
	})
}
