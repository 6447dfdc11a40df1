package review

import (
	"context"

	"causerie/app/auth"
	"causerie/app/policy"
	"causerie/app/topic"
)

// PolicyOf puts app/policy's watched words and spam rules in front of the
// gate: a blocked word refuses the post, censor and replace words rewrite
// it, hold reasons hold it and flag reasons flag it.
func PolicyOf(p *policy.Service) Policy { return policyGate{p} }

type policyGate struct{ p *policy.Service }

func (g policyGate) Check(ctx context.Context, v *auth.Viewer, in topic.GateInput) (topic.Verdict, error) {
	pv, err := g.p.CheckPost(ctx, v, policy.Post{CategoryID: in.CategoryID, TopicID: in.TopicID, PostID: in.PostID,
		Title: title(in), Body: in.Body, IsTopic: in.First})
	if err != nil {
		return topic.Verdict{}, err
	}
	vd := topic.Verdict{Hold: len(pv.Hold) > 0, Reasons: pv.Hold, Flags: pv.Flag, Score: pv.Score, Tags: pv.Tags}
	if pv.Body != in.Body {
		vd.Body = pv.Body
	}
	if in.First && pv.Title != in.Title {
		vd.Title = pv.Title
	}
	return vd, nil
}

func title(in topic.GateInput) string {
	if in.First {
		return in.Title
	}
	return ""
}
