package jobs

import (
	"encoding/json"
	"testing"
)

// envelopeOf writes what encoding/json writes for an envelope, for names
// that need escaping too.
func TestEnvelopeOf(t *testing.T) {
	for _, name := range []string{"post.created:search", `odd "name" <&> é`, ""} {
		for _, payload := range []any{map[string]any{"PostID": 12, "Mentions": []string{"ana", "<b>"}}, nil, "x"} {
			p, err := json.Marshal(payload)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(envelope{Name: name, Payload: p})
			if err != nil {
				t.Fatal(err)
			}
			if got := envelopeOf(name, p); string(got) != string(want) {
				t.Errorf("envelopeOf(%q, %s) = %s, want %s", name, p, got, want)
			}
		}
	}
}
