package search

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"causerie/app/auth"
	"causerie/app/errs"
)

// Input is a search as the page and the API receive it.
type Input struct {
	Q     string `query:"q" json:"q"`
	Sort  string `query:"sort" json:"sort"`
	Page  string `query:"page" json:"page"`
	Topic string `query:"topic" json:"topic"`
}

// TopicRef is the topic searched in, when the search is inside one.
type TopicRef struct {
	ID         int64
	Title      string
	Slug       string
	CategoryID int64
	State      string
}

// URL is the topic's address.
func (t *TopicRef) URL() string { return fmt.Sprintf("/t/%s/%d", t.Slug, t.ID) }

// Run is the one search call of the page and the API: it checks the
// input, searches for v, and records the query (first pages only, without
// who asked).
func (s *Service) Run(ctx context.Context, v *auth.Viewer, in Input) (*Results, *TopicRef, error) {
	f := errs.Fields{}
	page := 1
	if in.Page != "" {
		n, err := strconv.Atoi(in.Page)
		if err != nil || n < 1 || n > maxPages {
			f["page"] = "search.bad_page"
		}
		page = n
	}
	switch in.Sort {
	case "", SortRelevance, SortNewest, SortReactions:
	default:
		f["sort"] = "search.bad_sort"
	}
	q, err := Parse(in.Q)
	if err != nil {
		var qf errs.Fields
		if !errors.As(err, &qf) {
			return nil, nil, err
		}
		for k, m := range qf {
			f[k] = m
		}
	}
	var ref *TopicRef
	if in.Topic != "" {
		id, err := strconv.ParseInt(in.Topic, 10, 64)
		if err != nil || id < 1 {
			return nil, nil, errs.New(errs.NotFound, "error.http_404", nil)
		}
		if ref, err = s.topicRef(ctx, v, id); err != nil {
			return nil, nil, err
		}
	}
	if err := f.Err(); err != nil {
		return nil, ref, err
	}
	if in.Sort != "" {
		q.Sort = in.Sort
	}
	if ref != nil {
		q.TopicID = ref.ID
	}
	res, err := s.Search(ctx, v, q, page)
	if err != nil {
		return nil, ref, err
	}
	if page == 1 && !q.Empty() && ref == nil {
		if err := s.Record(ctx, in.Q, res.Posts); err != nil {
			s.log.Warn("search: record the query", "error", err)
		}
	}
	return res, ref, nil
}

// topicRef loads the topic searched in; one v may not read is not found.
func (s *Service) topicRef(ctx context.Context, v *auth.Viewer, id int64) (*TopicRef, error) {
	var t TopicRef
	err := s.store.db.WithContext(ctx).Raw("SELECT id, title, slug, category_id, state FROM topics WHERE id = ?", id).Scan(&t).Error
	if err != nil {
		return nil, fmt.Errorf("search: topic %d: %w", id, err)
	}
	if t.ID == 0 || t.State != "published" {
		return nil, errs.New(errs.NotFound, "error.http_404", nil)
	}
	if _, err := s.cats.ReadableByID(ctx, v, t.CategoryID); err != nil {
		return nil, errs.New(errs.NotFound, "error.http_404", nil)
	}
	return &t, nil
}
