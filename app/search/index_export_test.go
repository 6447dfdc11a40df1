package search

import (
	"context"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// RebuildInBatches is Rebuild writing batch posts at a time, so that a
// small forum makes the many segments of a large one.
func RebuildInBatches(ctx context.Context, s *Service, batch int) (int64, error) {
	n, _, err := s.rebuild(ctx, batch, nil)
	return n, err
}

// Segments is how many segments the index's current snapshot holds.
func Segments(s *Service) (int, error) {
	idx, err := s.index()
	if err != nil {
		return 0, err
	}
	adv, err := idx.Advanced()
	if err != nil {
		return 0, err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return 0, nil
	}
	return segmentCount(sc)
}
