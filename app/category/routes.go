package category

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/auth"
	"causerie/app/web"
)

type handlers struct{ svc *Service }

// Routes registers the category pages and API. Each line says who may use it.
func Routes(s *web.Server, svc *Service, member echo.MiddlewareFunc) {
	h := &handlers{svc: svc}
	s.GET("/categories", h.index)                           // anyone: the categories they may read
	s.GET("/admin/categories/new", h.newShow, member)       // administrators
	s.POST("/admin/categories", h.create, member)           // administrators
	s.GET("/admin/categories/:id/edit", h.editShow, member) // administrators
	s.POST("/admin/categories/:id", h.update, member)       // administrators
	s.GET("/api/v1/categories", h.apiList)                  // anyone: the categories they may read
	s.POST("/api/v1/categories", h.apiCreate, member)       // administrators
	s.GET("/api/v1/categories/:id", h.apiShow)              // anyone who may read it
	s.PATCH("/api/v1/categories/:id", h.apiUpdate, member)  // administrators
}

func (h *handlers) index(c echo.Context) error {
	tree, err := h.svc.Tree(c.Request().Context(), web.Viewer(c))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "category/index", tree)
}

// newPage is the data of the new-category form.
type newPage struct {
	Parents []*Category
	Roles   []auth.Role
	// Self and Slug are the category being edited (0 and "" for a new one).
	Self int64
	Slug string
}

func (h *handlers) newPage(c echo.Context) (*newPage, error) {
	if !auth.CanManageCategories(web.Viewer(c)) {
		return nil, web.ErrForbidden
	}
	tree, err := h.svc.Tree(c.Request().Context(), web.Viewer(c))
	roles := []auth.Role{auth.RoleEveryone, auth.RoleMembers}
	for _, r := range h.svc.RoleNames(c.Request().Context()) {
		if r != auth.RoleMember {
			roles = append(roles, r)
		}
	}
	return &newPage{Parents: tree, Roles: roles}, err
}

func (h *handlers) newShow(c echo.Context) error {
	p, err := h.newPage(c)
	if err != nil {
		return err
	}
	in := Input{Color: "#2457c5", Read: []string{"everyone"}, Start: []string{"members"}, Reply: []string{"members"}}
	return web.Render(c, http.StatusOK, "category/new", web.Form{Values: in, Extra: p})
}

func (h *handlers) create(c echo.Context) error {
	p, err := h.newPage(c)
	if err != nil {
		return err
	}
	var in Input
	if err := c.Bind(&in); err != nil {
		return err
	}
	// A form with no box ticked for an action grants it to no one (but
	// administrators), rather than keeping the defaults.
	for _, roles := range []*[]string{&in.Read, &in.Start, &in.Reply} {
		if *roles == nil {
			*roles = []string{}
		}
	}
	cat, err := h.svc.Create(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		return web.RenderForm(c, "category/new", in, p, err)
	}
	return web.Redirect(c, cat.URL(), "flash.category_created")
}

// APICategory is a category in the API.
type APICategory struct {
	ID          int64          `json:"id"`
	ParentID    *int64         `json:"parent_id"`
	Name        string         `json:"name"`
	Slug        string         `json:"slug"`
	Description string         `json:"description"`
	Color       string         `json:"color"`
	Position    int            `json:"position"`
	TopicsCount int            `json:"topics_count"`
	PostsCount  int            `json:"posts_count"`
	URL         string         `json:"url"`
	AllowedTags []string       `json:"allowed_tags,omitempty"`
	Children    []*APICategory `json:"children,omitempty"`
}

// ToAPI is the API form of a category.
func ToAPI(c *Category) *APICategory {
	a := &APICategory{ID: c.ID, ParentID: c.ParentID, Name: c.Name, Slug: c.Slug, Description: c.Description,
		Color: c.Color, Position: c.Position, TopicsCount: c.TopicsCount, PostsCount: c.PostsCount, URL: c.URL(),
		AllowedTags: c.AllowedTags}
	for _, k := range c.Children {
		a.Children = append(a.Children, ToAPI(k))
	}
	return a
}

func (h *handlers) apiList(c echo.Context) error {
	tree, err := h.svc.Tree(c.Request().Context(), web.Viewer(c))
	if err != nil {
		return err
	}
	out := make([]*APICategory, 0, len(tree))
	for _, t := range tree {
		out = append(out, ToAPI(t))
	}
	return c.JSON(http.StatusOK, map[string]any{"categories": out})
}

func (h *handlers) apiCreate(c echo.Context) error {
	var in Input
	if err := c.Bind(&in); err != nil {
		return err
	}
	cat, err := h.svc.Create(c.Request().Context(), web.Viewer(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ToAPI(cat))
}
