package seed_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"causerie/app/seed"
	"causerie/app/testutil"
)

// Seeded content is consistent: every count shown on pages equals what the
// rows say, so benchmarks measure a forum that could exist.
func TestSeedIsConsistent(t *testing.T) {
	testutil.Each(t, func(t *testing.T, env *testutil.Env) {
		ctx := testutil.Ctx()
		st, err := seed.Run(ctx, env.App.DB.DB, env.App.Render, seed.Options{Users: 20, Topics: 60, Posts: 500,
			PasswordHash: "x", Rand: rand.New(rand.NewPCG(1, 2))})
		testutil.Must(t, err, "seed")
		if st.Users != 20 || st.Topics != 60 || st.Posts != 500 || st.Reactions == 0 || st.Accepted == 0 {
			t.Fatalf("stats: %+v", st)
		}
		g := env.App.DB.DB
		checks := map[string]string{
			"topics whose replies_count is wrong":       `SELECT count(*) FROM topics t WHERE replies_count <> (SELECT count(*) - 1 FROM posts p WHERE p.topic_id = t.id)`,
			"topics whose highest_number is wrong":      `SELECT count(*) FROM topics t WHERE highest_number <> (SELECT max(number) FROM posts p WHERE p.topic_id = t.id)`,
			"posts whose reactions_count is wrong":      `SELECT count(*) FROM posts p WHERE reactions_count <> (SELECT count(*) FROM reactions r WHERE r.post_id = p.id)`,
			"topics whose reactions_count is wrong":     `SELECT count(*) FROM topics t WHERE reactions_count <> (SELECT count(*) FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.topic_id = t.id)`,
			"members whose posts_count is wrong":        `SELECT count(*) FROM users u WHERE posts_count <> (SELECT count(*) FROM posts p WHERE p.user_id = u.id)`,
			"members whose reactions_received is wrong": `SELECT count(*) FROM users u WHERE reactions_received <> (SELECT count(*) FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.user_id = u.id)`,
			"accepted answers outside their topic":      `SELECT count(*) FROM topics t JOIN posts p ON p.id = t.accepted_post_id WHERE p.topic_id <> t.id OR p.number = 1 OR t.kind <> 'question'`,
			"reactions to one's own post":               `SELECT count(*) FROM reactions r JOIN posts p ON p.id = r.post_id WHERE r.user_id = p.user_id`,
			"categories whose posts_count is wrong":     `SELECT count(*) FROM categories c WHERE posts_count <> (SELECT count(*) FROM posts p JOIN topics t ON t.id = p.topic_id WHERE t.category_id = c.id)`,
		}
		for what, q := range checks {
			var n int64
			testutil.Must(t, g.Raw(q).Scan(&n).Error, "%s", what)
			if n != 0 {
				t.Errorf("%d %s", n, what)
			}
		}
		// The pages show it.
		res := env.Client().Get(t, "/latest")
		if res.StatusCode != 200 {
			t.Errorf("latest after seeding: %d", res.StatusCode)
		}
		if _, err := seed.Run(ctx, g, env.App.Render, seed.Options{Users: 2, Topics: 1, Posts: 1}); !errors.Is(err, seed.ErrNotEmpty) {
			t.Errorf("seeding twice: %v", err)
		}
	})
}
