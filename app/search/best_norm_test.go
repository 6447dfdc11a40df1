package search

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// The norms the scoring takes from its table by field length are those
// zap works out at each read, for fields of 1 to 1,500 words (past the
// table's end, zap's own), and √frequency is √frequency.
func TestPostingNormIsZaps(t *testing.T) {
	idx, err := createIndex(filepath.Join(t.TempDir(), "i.bleve"))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	b := idx.NewBatch()
	for n := 1; n <= 1500; n += 7 {
		// n words, "kite" among them f times
		f := 1 + n%5
		words := strings.Repeat("kite ", min(f, n)) + strings.Repeat("dune ", n-min(f, n))
		if err := b.Index(fmt.Sprint(n), map[string]any{bodyField("en"): words}); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	seen := 0
	for _, seg := range r.(*scorch.IndexSnapshot).Segments() {
		dict, err := seg.Segment().Dictionary(bodyField("en"))
		if err != nil {
			t.Fatal(err)
		}
		for _, term := range []string{"kite", "dune"} {
			pl, err := dict.PostingsList([]byte(term), nil, nil)
			if err != nil || pl == nil {
				t.Fatalf("postings of %s: %v", term, err)
			}
			it := pl.Iterator(true, true, false, nil)
			for p, err := it.Next(); p != nil || err != nil; p, err = it.Next() {
				if err != nil {
					t.Fatal(err)
				}
				seen++
				if got, want := postingNorm(p), p.Norm(); got != want {
					t.Errorf("%s at %d: norm %v, zap's %v", term, p.Number(), got, want)
				}
				if got, want := sqrtFreq(p.Frequency()), fmt.Sprint(p.Frequency()); fmt.Sprintf("%.0f", got*got) != want {
					t.Errorf("%s at %d: √%s = %v", term, p.Number(), want, got)
				}
			}
		}
	}
	if seen < 400 {
		t.Fatalf("%d postings read, want more than 400", seen)
	}
}
