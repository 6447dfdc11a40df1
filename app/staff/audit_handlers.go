package staff

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/category"
	"causerie/app/errs"
	"causerie/app/web"
)

// AuditView is the data of the audit log page.
type AuditView struct {
	*AuditPage
	CSV        string // the export of the same filter
	Categories []*category.Category
}

func bindFilter(c echo.Context) (AuditFilter, error) {
	var f AuditFilter
	if err := (&echo.DefaultBinder{}).BindQueryParams(c, &f); err != nil {
		return f, errs.Fields{"filter": "staff.filter_invalid"}
	}
	return f, nil
}

func (h *handlers) auditShow(c echo.Context) error {
	if !auth.CanSeeAudit(web.Viewer(c)) {
		return web.ErrForbidden
	}
	f, err := bindFilter(c)
	if err != nil {
		return err
	}
	cats, err := h.svc.cats.Store().All(c.Request().Context())
	if err != nil {
		return err
	}
	p, err := h.svc.Audit(c.Request().Context(), web.Viewer(c), f)
	if err != nil {
		return web.RenderForm(c, "staff/audit", f, &AuditView{AuditPage: &AuditPage{Filter: f}, Categories: cats}, err)
	}
	return web.Render(c, http.StatusOK, "staff/audit", web.Form{Values: f,
		Extra: &AuditView{AuditPage: p, CSV: "/admin/audit.csv?" + f.Query(), Categories: cats}})
}

func (h *handlers) auditCSV(c echo.Context) error {
	f, err := bindFilter(c)
	if err != nil {
		return err
	}
	return h.writeCSV(c, f)
}

func (h *handlers) writeCSV(c echo.Context, f AuditFilter) error {
	if !auth.CanSeeAudit(web.Viewer(c)) {
		return web.ErrForbidden
	}
	if _, err := h.svc.auditRows(c.Request().Context(), f, 1); err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="audit-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	res.WriteHeader(http.StatusOK)
	return h.svc.AuditCSV(c.Request().Context(), web.Viewer(c), f, res)
}

// APIAuditEntry is an audit entry in the API; before and after are the
// JSON states as recorded (null when there was none).
type APIAuditEntry struct {
	ID         int64           `json:"id"`
	CreatedAt  string          `json:"created_at"`
	Actor      *string         `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   int64           `json:"object_id"`
	ObjectName string          `json:"object_name,omitempty"`
	CategoryID *int64          `json:"category_id"`
	Reason     string          `json:"reason"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	URL        string          `json:"url,omitempty"`
}

func raw(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func (h *handlers) apiAudit(c echo.Context) error {
	f, err := bindFilter(c)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "csv" {
		return h.writeCSV(c, f)
	}
	p, err := h.svc.Audit(c.Request().Context(), web.Viewer(c), f)
	if err != nil {
		return err
	}
	out := make([]APIAuditEntry, 0, len(p.Rows))
	for _, r := range p.Rows {
		e := APIAuditEntry{ID: r.ID, CreatedAt: r.CreatedAt.UTC().Format(isoTime), Action: r.Action, ObjectType: r.ObjectType,
			ObjectID: r.ObjectID, ObjectName: r.ObjectName, CategoryID: r.CategoryID, Reason: r.Reason,
			Before: raw(r.Before), After: raw(r.After), URL: r.Link()}
		if r.ActorID != nil {
			a := r.Actor
			e.Actor = &a
		}
		out = append(out, e)
	}
	var next *string
	if p.Next != "" {
		next = &p.Next
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out, "next_cursor": next})
}
