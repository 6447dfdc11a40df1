package search

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	zapx "github.com/blevesearch/zapx/v17"
)

// Merges write mergeWriteBytes at a time: the setting is zapx v17's, so
// the index must write that format, in its batches and in its merges (a
// Bleve that moved to another format would leave the setting idle, and the
// merged segments' large blocks would count in the server's RSS again).
func TestMergesWriteTheTunedFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "search.bleve")
	idx, err := createIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if zapx.DefaultFileMergerBufferSize != mergeWriteBytes {
		t.Errorf("zapx merges write %d bytes at a time, want %d", zapx.DefaultFileMergerBufferSize, mergeWriteBytes)
	}
	for b := range 3 {
		batch := idx.NewBatch()
		for i := range 5 {
			id := fmt.Sprint(b*5 + i)
			if err := batch.Index(id, map[string]any{fBodyRaw: "post " + id, bodyField(LangEN): "a red kite " + id}); err != nil {
				t.Fatal(err)
			}
		}
		if err := idx.Batch(batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := compact(context.Background(), idx, dir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
	if len(files) == 0 {
		t.Fatal("no segment file written")
	}
	for _, f := range files {
		seg, err := (&zapx.ZapPlugin{}).Open(f)
		if err != nil {
			t.Errorf("%s is not a zapx v%d segment: %v", filepath.Base(f), zapx.Version, err)
			continue
		}
		_ = seg.Close()
	}
}
