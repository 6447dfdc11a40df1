package topic

import (
	"reflect"
	"testing"
	"time"

	"causerie/app/user"
)

// fill sets every field fields point to a value of its own (never zero),
// counting from *n, and fails when a field of the struct s has no pointer
// among them: the column lists of topics and posts name every field (an
// author is read with authorColumns only: s nil).
func fill(t *testing.T, s any, fields []any, n *int64) {
	t.Helper()
	covered := map[uintptr]bool{}
	for _, f := range fields {
		covered[reflect.ValueOf(f).Pointer()] = true
		*n++
		switch v := f.(type) {
		case **int64:
			x := *n
			*v = &x
		case *time.Time:
			*v = time.Unix(1_700_000_000+*n, *n).UTC()
		case **time.Time:
			x := time.Unix(1_700_000_000+*n, *n).UTC()
			*v = &x
		default:
			e := reflect.ValueOf(f).Elem()
			switch {
			case e.Kind() == reflect.String:
				e.SetString("value " + string(rune('a'+*n%26)))
			case e.Kind() == reflect.Bool:
				e.SetBool(true)
			case e.CanInt():
				e.SetInt(*n)
			default:
				t.Fatalf("no value for a %T", f)
			}
		}
	}
	if s == nil {
		return
	}
	sv := reflect.ValueOf(s).Elem()
	for i := range sv.NumField() {
		if f := sv.Field(i); f.CanAddr() && !covered[f.Addr().Pointer()] && sv.Type().Field(i).IsExported() {
			t.Errorf("%s.%s is not in its column list", sv.Type().Name(), sv.Type().Field(i).Name)
		}
	}
}

// A kept page's bytes give back every field of the topic, its posts, the
// accepted answer, the authors, the posts answered, the reaction counts
// and the tags.
func TestSharedPageBytes(t *testing.T) {
	var n int64
	newPost := func() *Post {
		p := new(Post)
		fill(t, p, p.columns(), &n)
		return p
	}
	tp := new(Topic)
	fill(t, tp, tp.columns(), &n)
	u1, u2 := new(user.User), new(user.User)
	fill(t, nil, authorFields(u1), &n)
	fill(t, nil, authorFields(u2), &n)
	posts := []*Post{newPost(), newPost()}
	p := &sharedPage{mark: 42, at: time.Now().UTC().Truncate(time.Microsecond), topic: tp, posts: posts, accepted: newPost(),
		posted: &postsData{
			users:  map[int64]*user.User{u1.ID: u1, u2.ID: u2},
			refs:   map[int64]*Post{7: newPost()},
			counts: map[int64]map[string]int{posts[0].ID: {"like": 3, "heart": 1}, posts[1].ID: {"thanks": 2}},
		},
		tags: []string{"hub", "pairing"}}
	data, err := p.encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeShared(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("the page read back differs:\n got %+v\nwant %+v", got, p)
	}

	// The accepted answer on the page is the page's post, as read.
	p.accepted = posts[1]
	data, _ = p.encode()
	if got, err = decodeShared(data); err != nil || got.accepted != got.posts[1] {
		t.Errorf("the accepted answer on the page is not the page's post (%v)", err)
	}

	// Cut bytes are an error, never a page.
	raw := data[:len(data)/2]
	if _, err := decodeShared(raw); err == nil {
		t.Error("half the bytes read as a page")
	}
}
