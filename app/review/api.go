package review

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// APIItem is a queue item in the API.
type APIItem struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Status     string     `json:"status"`
	Score      int        `json:"score"`
	Reasons    []string   `json:"reasons"`
	CategoryID *int64     `json:"category_id"`
	TopicID    *int64     `json:"topic_id"`
	PostID     *int64     `json:"post_id"`
	Subject    *string    `json:"subject"`
	Assignee   *string    `json:"assignee"`
	ProposedBy *string    `json:"proposed_by"`
	Proposal   *Proposal  `json:"proposal,omitempty"`
	Body       *string    `json:"body"`
	Flags      []APIFlag  `json:"flags"`
	Waited     int64      `json:"waited_seconds"`
	Late       bool       `json:"late"`
	Decision   string     `json:"decision_note"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

// APIFlag is one flag of an item.
type APIFlag struct {
	By        string    `json:"by"`
	Reason    string    `json:"reason"`
	Note      string    `json:"note"`
	Weight    int       `json:"weight"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

func apiItem(e *Entry) APIItem {
	a := APIItem{ID: e.ID, Kind: e.Kind, Status: e.Status, Score: e.Score, Reasons: e.ReasonList(), CategoryID: e.CategoryID,
		TopicID: e.TopicID, PostID: e.PostID, Proposal: e.Proposal, Flags: []APIFlag{}, Waited: int64(e.Waited / time.Second),
		Late: e.Late, Decision: e.DecisionNote, CreatedAt: e.CreatedAt, ResolvedAt: e.ResolvedAt}
	if a.Reasons == nil {
		a.Reasons = []string{}
	}
	if e.Subject != nil {
		a.Subject = &e.Subject.Username
	}
	if e.Assignee != nil {
		a.Assignee = &e.Assignee.Username
	}
	if e.Proposer != nil {
		a.ProposedBy = &e.Proposer.Username
	}
	if e.Post != nil {
		a.Body = &e.Post.Body
	}
	for _, f := range e.Flags {
		af := APIFlag{Reason: f.Reason, Note: f.Note, Weight: f.Weight, Status: f.Status, CreatedAt: f.CreatedAt}
		if f.By != nil {
			af.By = f.By.Username
		}
		a.Flags = append(a.Flags, af)
	}
	return a
}

// apiFlagResult answers a flag: the item it joined, as its flagger sees it.
type apiFlagResult struct {
	ItemID int64 `json:"item_id"`
	Hidden bool  `json:"hidden"`
}

func (h *handlers) apiFlagPost(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in FlagInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	it, err := h.svc.FlagPost(c.Request().Context(), web.Viewer(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiFlagResult{ItemID: it.ID, Hidden: h.svc.cfg.HideScore > 0 && it.Score >= h.svc.cfg.HideScore})
}

func (h *handlers) apiFlagUser(c echo.Context) error {
	var in FlagInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	it, err := h.svc.FlagUser(c.Request().Context(), web.Viewer(c), c.Param("username"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiFlagResult{ItemID: it.ID})
}

type apiList struct {
	Items  []APIItem      `json:"items"`
	Next   string         `json:"next_cursor"`
	Open   map[string]int `json:"open"`
	Target int64          `json:"target_seconds"`
}

func (h *handlers) apiList(c echo.Context) error {
	q, err := h.query(c)
	if err != nil {
		return err
	}
	pg, err := h.svc.List(c.Request().Context(), web.Viewer(c), q)
	if err != nil {
		return err
	}
	out := apiList{Items: make([]APIItem, 0, len(pg.Entries)), Next: pg.Next, Open: pg.Open, Target: int64(pg.Target / time.Second)}
	for _, e := range pg.Entries {
		out.Items = append(out.Items, apiItem(e))
	}
	return c.JSON(http.StatusOK, out)
}

type apiDecision struct {
	Item     APIItem  `json:"item"`
	Proposal *APIItem `json:"proposal"`
}

func (h *handlers) apiDecide(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var d Decision
	if err := c.Bind(&d); err != nil {
		return err
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	res, err := h.svc.Decide(ctx, v, id, d)
	if err != nil {
		return err
	}
	e, err := h.svc.Get(ctx, v, id)
	if err != nil {
		return err
	}
	out := apiDecision{Item: apiItem(e)}
	status := http.StatusOK
	if res.Proposal != nil {
		p, err := h.svc.Get(ctx, v, res.Proposal.ID)
		if err != nil {
			return err
		}
		pa := apiItem(p)
		out.Proposal, status = &pa, http.StatusAccepted
	}
	return c.JSON(status, out)
}
