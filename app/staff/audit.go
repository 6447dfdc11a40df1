package staff

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"causerie/app/audit"
	"causerie/app/auth"
	"causerie/app/errs"
)

// AuditFilter narrows the audit log. Every field is optional; From and To
// are days (2006-01-02), To included.
type AuditFilter struct {
	Actor      string `query:"actor" form:"actor"` // a username
	Action     string `query:"action" form:"action"`
	ObjectType string `query:"object_type" form:"object_type"`
	ObjectID   int64  `query:"object_id" form:"object_id"`
	Category   int64  `query:"category" form:"category"`
	From       string `query:"from" form:"from"`
	To         string `query:"to" form:"to"`
	Cursor     string `query:"cursor" form:"cursor"`
	Limit      int    `query:"limit" form:"limit"`
}

// Query is the filter as a query string, for the next page's link and the
// CSV export.
func (f AuditFilter) Query() string {
	var b strings.Builder
	add := func(k, v string) {
		if v != "" && v != "0" {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k + "=" + urlEscape(v))
		}
	}
	add("actor", f.Actor)
	add("action", f.Action)
	add("object_type", f.ObjectType)
	add("object_id", strconv.FormatInt(f.ObjectID, 10))
	add("category", strconv.FormatInt(f.Category, 10))
	add("from", f.From)
	add("to", f.To)
	return b.String()
}

// AuditRow is an entry as the page, the API and the CSV show it.
type AuditRow struct {
	audit.Entry
	Actor        string // the actor's username ("" for the system)
	CategoryName string
	ObjectName   string // the username of a member, when the object is one
}

// Link is the page of the entry's object, "" when it has none.
func (r *AuditRow) Link() string {
	switch r.ObjectType {
	case "post":
		return "/p/" + strconv.FormatInt(r.ObjectID, 10)
	case "topic":
		return "/t/t/" + strconv.FormatInt(r.ObjectID, 10)
	case "user":
		if r.ObjectName != "" {
			return "/u/" + r.ObjectName
		}
	case "role":
		return "/admin/roles"
	}
	return ""
}

// AuditPage is one page of the log, newest first.
type AuditPage struct {
	Rows   []*AuditRow
	Next   string // the cursor of the next page ("" on the last)
	Filter AuditFilter
}

const (
	auditPerPage = 50
	auditMaxPage = 200
)

func day(f errs.Fields, field, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		f[field] = "staff.date_format"
		return time.Time{}, false
	}
	return t, true
}

// cursor is the last row of a page: its time and ID.
func parseCursor(s string) (time.Time, int64, bool) {
	a, b, ok := strings.Cut(s, "_")
	if !ok {
		return time.Time{}, 0, false
	}
	ns, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, 0, false
	}
	return time.Unix(0, ns).UTC(), id, true
}

func cursorOf(e *audit.Entry) string {
	return strconv.FormatInt(e.CreatedAt.UnixNano(), 10) + "_" + strconv.FormatInt(e.ID, 10)
}

// Audit returns a page of the log for those with PermAudit, cut with a
// keyset cursor on (time, id).
func (s *Service) Audit(ctx context.Context, v *auth.Viewer, f AuditFilter) (*AuditPage, error) {
	if !auth.CanSeeAudit(v) {
		return nil, forbidden()
	}
	if f.Limit <= 0 {
		f.Limit = auditPerPage
	}
	if f.Limit > auditMaxPage {
		f.Limit = auditMaxPage
	}
	rows, err := s.auditRows(ctx, f, f.Limit+1)
	if err != nil {
		return nil, err
	}
	p := &AuditPage{Filter: f, Rows: rows}
	if len(rows) > f.Limit {
		p.Rows = rows[:f.Limit]
		p.Next = cursorOf(&p.Rows[len(p.Rows)-1].Entry)
	}
	return p, nil
}

func (s *Service) auditRows(ctx context.Context, f AuditFilter, limit int) ([]*AuditRow, error) {
	fe := errs.Fields{}
	q := s.db.WithContext(ctx).Model(&audit.Entry{})
	if f.Actor != "" {
		u, err := s.users.Store().ByUsername(ctx, strings.TrimSpace(f.Actor))
		if err != nil {
			fe["actor"] = "staff.actor_unknown"
		} else {
			q = q.Where("actor_id = ?", u.ID)
		}
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			q = q.Where("action LIKE ?", strings.NewReplacer("%", "", "_", "").Replace(f.Action)+"%") // a family: "post."
		} else {
			q = q.Where("action = ?", f.Action)
		}
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != 0 {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if f.Category != 0 {
		q = q.Where("category_id = ?", f.Category)
	}
	from, okFrom := day(fe, "from", f.From)
	to, okTo := day(fe, "to", f.To)
	if okFrom {
		q = q.Where("created_at >= ?", from)
	}
	if okTo {
		q = q.Where("created_at < ?", to.Add(24*time.Hour))
	}
	if f.Cursor != "" {
		at, id, ok := parseCursor(f.Cursor)
		if !ok {
			fe["cursor"] = "staff.cursor_invalid"
		} else {
			q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", at, at, id)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var entries []audit.Entry
	if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&entries).Error; err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return s.describe(ctx, entries)
}

// describe adds the names the page shows: actors, members, categories,
// with one query for the people.
func (s *Service) describe(ctx context.Context, entries []audit.Entry) ([]*AuditRow, error) {
	var ids []int64
	for _, e := range entries {
		if e.ActorID != nil {
			ids = append(ids, *e.ActorID)
		}
		if e.ObjectType == "user" {
			ids = append(ids, e.ObjectID)
		}
	}
	names, err := s.usernames(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]*AuditRow, 0, len(entries))
	for _, e := range entries {
		r := &AuditRow{Entry: e}
		if e.ActorID != nil {
			r.Actor = names[*e.ActorID]
		}
		if e.ObjectType == "user" {
			r.ObjectName = names[e.ObjectID]
		}
		if e.CategoryID != nil {
			if c, err := s.cats.Get(ctx, *e.CategoryID); err == nil {
				r.CategoryName = c.Name
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// AuditCSV writes every entry the filter matches (no cursor, no limit) as
// CSV, newest first, in batches cut with the same keyset.
func (s *Service) AuditCSV(ctx context.Context, v *auth.Viewer, f AuditFilter, w io.Writer) error {
	if !auth.CanSeeAudit(v) {
		return forbidden()
	}
	f.Cursor = ""
	if _, err := s.auditRows(ctx, f, 1); err != nil {
		return err // a bad filter is refused before anything is written
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "created_at", "actor", "action", "object_type", "object_id", "object_name",
		"category_id", "category", "reason", "before", "after"}); err != nil {
		return err
	}
	for {
		rows, err := s.auditRows(ctx, f, 500)
		if err != nil {
			return err
		}
		for _, r := range rows {
			cat := ""
			if r.CategoryID != nil {
				cat = strconv.FormatInt(*r.CategoryID, 10)
			}
			rec := []string{strconv.FormatInt(r.ID, 10), r.CreatedAt.UTC().Format(time.RFC3339), r.Actor, r.Action, r.ObjectType,
				strconv.FormatInt(r.ObjectID, 10), r.ObjectName, cat, r.CategoryName, r.Reason, r.Before, r.After}
			for i := range rec {
				rec[i] = cell(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		if len(rows) < 500 {
			break
		}
		f.Cursor = cursorOf(&rows[len(rows)-1].Entry)
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses text a spreadsheet would run as a formula (a reason that
// starts with "=", say): it gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func urlEscape(s string) string { return url.QueryEscape(s) }
