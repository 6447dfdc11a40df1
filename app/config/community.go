package config

import (
	"fmt"
	"reflect"
	"time"
)

// Reputation is how many points each reason earns. Points are recorded
// with each reason when it happens, so a change here applies to what
// happens from then on; totals are sums of what was recorded.
type Reputation struct {
	ReactionReceived int `toml:"reaction_received"`
	AnswerAccepted   int `toml:"answer_accepted"`
	PostFeatured     int `toml:"post_featured"`
	// CheckEvery is how often badges are checked for every member (the
	// anniversary, and any badge a missed event left out) and points
	// are matched to accepted answers and featured topics.
	CheckEvery Duration `toml:"check_every"`
}

// Trust holds the trust level rules: what new members (level 0) may post,
// and what a member needs to reach levels 1 (basic), 2 (member) and 3
// (regular). Level 4 (leader) is given by staff only. The thresholds are
// totals since the member joined; a member must meet every lower level's
// thresholds too.
type Trust struct {
	EvaluateEvery  Duration `toml:"evaluate_every"`
	NewMaxLinks    int      `toml:"new_max_links"`
	NewMaxImages   int      `toml:"new_max_images"`
	NewPostsPerDay int      `toml:"new_posts_per_day"`

	TL1DaysVisited       int `toml:"tl1_days_visited"`
	TL1TopicsEntered     int `toml:"tl1_topics_entered"`
	TL1PostsRead         int `toml:"tl1_posts_read"`
	TL1ReactionsReceived int `toml:"tl1_reactions_received"`
	TL1ReactionsGiven    int `toml:"tl1_reactions_given"`
	TL1MaxFlagsAgainst   int `toml:"tl1_max_flags_against"`

	TL2DaysVisited       int `toml:"tl2_days_visited"`
	TL2TopicsEntered     int `toml:"tl2_topics_entered"`
	TL2PostsRead         int `toml:"tl2_posts_read"`
	TL2ReactionsReceived int `toml:"tl2_reactions_received"`
	TL2ReactionsGiven    int `toml:"tl2_reactions_given"`
	TL2MaxFlagsAgainst   int `toml:"tl2_max_flags_against"`

	TL3DaysVisited       int `toml:"tl3_days_visited"`
	TL3TopicsEntered     int `toml:"tl3_topics_entered"`
	TL3PostsRead         int `toml:"tl3_posts_read"`
	TL3ReactionsReceived int `toml:"tl3_reactions_received"`
	TL3ReactionsGiven    int `toml:"tl3_reactions_given"`
	TL3MaxFlagsAgainst   int `toml:"tl3_max_flags_against"`
}

// TrustRule is what a member needs to reach one trust level.
type TrustRule struct {
	DaysVisited, TopicsEntered, PostsRead int
	ReactionsReceived, ReactionsGiven     int
	MaxFlagsAgainst                       int
}

// Rules returns the rules of levels 1, 2 and 3, in that order.
func (t Trust) Rules() [3]TrustRule {
	return [3]TrustRule{
		{t.TL1DaysVisited, t.TL1TopicsEntered, t.TL1PostsRead, t.TL1ReactionsReceived, t.TL1ReactionsGiven, t.TL1MaxFlagsAgainst},
		{t.TL2DaysVisited, t.TL2TopicsEntered, t.TL2PostsRead, t.TL2ReactionsReceived, t.TL2ReactionsGiven, t.TL2MaxFlagsAgainst},
		{t.TL3DaysVisited, t.TL3TopicsEntered, t.TL3PostsRead, t.TL3ReactionsReceived, t.TL3ReactionsGiven, t.TL3MaxFlagsAgainst},
	}
}

// The defaults follow Discourse's, made cumulative: a newcomer who has
// looked around becomes basic, a regular visitor who takes part becomes a
// member, and months of steady participation make a regular.
func defaultReputation() Reputation {
	return Reputation{ReactionReceived: 2, AnswerAccepted: 15, PostFeatured: 10, CheckEvery: Duration{time.Hour}}
}

func defaultTrust() Trust {
	return Trust{
		EvaluateEvery: Duration{time.Hour}, NewMaxLinks: 2, NewMaxImages: 1, NewPostsPerDay: 10,
		TL1DaysVisited: 1, TL1TopicsEntered: 5, TL1PostsRead: 30, TL1ReactionsReceived: 0, TL1ReactionsGiven: 0, TL1MaxFlagsAgainst: 5,
		TL2DaysVisited: 15, TL2TopicsEntered: 20, TL2PostsRead: 100, TL2ReactionsReceived: 1, TL2ReactionsGiven: 1, TL2MaxFlagsAgainst: 5,
		TL3DaysVisited: 50, TL3TopicsEntered: 100, TL3PostsRead: 500, TL3ReactionsReceived: 20, TL3ReactionsGiven: 30, TL3MaxFlagsAgainst: 3,
	}
}

// validateCommunity checks [reputation] and [trust]: no negative numbers,
// and periodic checks no more often than once a minute.
func (c Config) validateCommunity() error {
	for _, sec := range []struct {
		name string
		v    any
	}{{"reputation", c.Reputation}, {"trust", c.Trust}} {
		rv := reflect.ValueOf(sec.v)
		for i := range rv.NumField() {
			if f := rv.Field(i); f.Kind() == reflect.Int && f.Int() < 0 {
				return bad(sec.name, rv.Type().Field(i).Tag.Get("toml"), fmt.Sprintf("want 0 or more, got %d", f.Int()))
			}
		}
	}
	if c.Reputation.CheckEvery.Duration < time.Minute {
		return bad("reputation", "check_every", "want a duration of 1m or more, such as 1h")
	}
	if c.Trust.EvaluateEvery.Duration < time.Minute {
		return bad("trust", "evaluate_every", "want a duration of 1m or more, such as 1h")
	}
	return nil
}
