package category

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/errs"
	"causerie/app/slug"
)

// Service holds the category rules. Categories are few and read on nearly
// every request, so it keeps a snapshot of them in memory: changes made on
// this node replace it at once, changes made on another node show after at
// most ttl.
type Service struct {
	store *Store
	ttl   time.Duration
	roles func(context.Context) ([]auth.Role, error)

	mu     sync.Mutex
	snap   *snapshot
	loaded time.Time
}

type snapshot struct {
	list   []*Category
	byID   map[int64]*Category
	bySlug map[string]*Category
}

// NewService returns the category rules over a database.
func NewService(g *gorm.DB) *Service { return &Service{store: NewStore(g), ttl: 3 * time.Second} }

// Store gives access to categories and tags.
func (s *Service) Store() *Store { return s.store }

func (s *Service) current(ctx context.Context) (*snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap != nil && time.Since(s.loaded) < s.ttl {
		return s.snap, nil
	}
	list, err := s.store.All(ctx)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{list: list, byID: map[int64]*Category{}, bySlug: map[string]*Category{}}
	for _, c := range list {
		snap.byID[c.ID] = c
		snap.bySlug[c.Slug] = c
	}
	s.snap, s.loaded = snap, time.Now()
	return snap, nil
}

// Invalidate drops the snapshot, after a change.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.snap = nil
	s.mu.Unlock()
}

// Get returns a category by ID, whoever asks (callers check reading rights
// with auth.CanRead on its Grants).
func (s *Service) Get(ctx context.Context, id int64) (*Category, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	if c, ok := snap.byID[id]; ok {
		return c, nil
	}
	return nil, ErrNotFound
}

// Readable returns the category with slug when v may read it. A category v
// may not read does not exist for v: the answer is the same not-found.
func (s *Service) Readable(ctx context.Context, v *auth.Viewer, slugName string) (*Category, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	c, ok := snap.bySlug[slugName]
	if !ok || !auth.CanRead(v, c.Grants) {
		return nil, ErrNotFound
	}
	return c, nil
}

// ReadableByID is Readable by ID.
func (s *Service) ReadableByID(ctx context.Context, v *auth.Viewer, id int64) (*Category, error) {
	c, err := s.Get(ctx, id)
	if err != nil || !auth.CanRead(v, c.Grants) {
		return nil, ErrNotFound
	}
	return c, nil
}

// ReadableIDs lists the IDs of the categories v may read: every list,
// count and search filters by it.
func (s *Service) ReadableIDs(ctx context.Context, v *auth.Viewer) ([]int64, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(snap.list))
	for _, c := range snap.list {
		if auth.CanRead(v, c.Grants) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// Tree returns the categories v may read, top-level first with their
// sub-categories inside. A sub-category of a category v cannot read is not
// shown either.
func (s *Service) Tree(ctx context.Context, v *auth.Viewer) ([]*Category, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	var top []*Category
	kids := map[int64][]*Category{}
	for _, c := range snap.list {
		if !auth.CanRead(v, c.Grants) {
			continue
		}
		if c.ParentID == nil {
			top = append(top, c)
		} else {
			kids[*c.ParentID] = append(kids[*c.ParentID], c)
		}
	}
	out := make([]*Category, 0, len(top))
	for _, c := range top {
		cc := *c
		cc.Children = kids[c.ID]
		out = append(out, &cc)
	}
	return out, nil
}

// Startable lists the categories where v may start a topic of kind.
func (s *Service) Startable(ctx context.Context, v *auth.Viewer, kind string) ([]*Category, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Category
	for _, c := range snap.list {
		if auth.CanStart(v, c.Grants, kind) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Input is a category as an administrator writes it (form or API).
type Input struct {
	Name        string `form:"name" json:"name"`
	Slug        string `form:"slug" json:"slug"`
	Description string `form:"about" json:"description"`
	Color       string `form:"color" json:"color"`
	ParentID    *int64 `form:"parent_id" json:"parent_id"`
	Position    int    `form:"position" json:"position"`
	// Roles allowed each action; nil keeps the defaults (everyone reads,
	// members start and reply).
	Read  []string `form:"read" json:"read,omitempty"`
	Start []string `form:"start" json:"start,omitempty"`
	Reply []string `form:"reply" json:"reply,omitempty"`
	// Tags the category allows (none: any tag), as a list (API) or a
	// comma-separated string (form).
	Tags    []string `form:"-" json:"tags,omitempty"`
	TagList string   `form:"allowed_tags" json:"-"`
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// validRole says whether a category may grant to r: everyone, members,
// or a role that exists (built in or defined by administrators).
func (s *Service) validRole(ctx context.Context, r string) bool {
	if auth.Role(r) == auth.RoleEveryone || auth.Role(r) == auth.RoleMembers {
		return true
	}
	return slices.Contains(s.RoleNames(ctx), auth.Role(r))
}

// RoleNames lists the roles a category may grant to besides everyone and
// members: the roles of the roles table when the user domain said how to
// read them (UseRoles), else the built-in ones.
func (s *Service) RoleNames(ctx context.Context) []auth.Role {
	if s.roles != nil {
		if rs, err := s.roles(ctx); err == nil {
			return rs
		}
	}
	return auth.Roles
}

// UseRoles tells the service how to list the roles that exist.
func (s *Service) UseRoles(list func(context.Context) ([]auth.Role, error)) { s.roles = list }

func (s *Service) build(ctx context.Context, in Input, self int64) (*Category, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Slug = strings.TrimSpace(in.Slug)
	if in.Slug == "" {
		in.Slug = slug.Make(in.Name, 50, "")
	}
	if in.Color == "" {
		in.Color = "#2457c5"
	}
	f := errs.Fields{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		f["name"] = "validation.required"
	case n > 60:
		f["name"] = "validation.too_long"
	}
	if !slugRE.MatchString(in.Slug) || len(in.Slug) > 50 {
		f["slug"] = "validation.slug_format"
	}
	if utf8.RuneCountInString(in.Description) > 1000 {
		f["description"] = "validation.too_long"
	}
	if !colorRE.MatchString(in.Color) {
		f["color"] = "validation.color_format"
	}
	if in.ParentID != nil {
		p, err := s.Get(ctx, *in.ParentID)
		switch {
		case err != nil:
			f["parent_id"] = "validation.parent_missing"
		case p.ParentID != nil || p.ID == self:
			f["parent_id"] = "validation.parent_nested"
		}
	}
	g := DefaultGrants()
	g.CategoryID = self
	for a, roles := range map[auth.Action][]string{auth.Read: in.Read, auth.Start: in.Start, auth.Reply: in.Reply} {
		if roles == nil {
			continue
		}
		g.Allow[a] = map[auth.Role]bool{}
		for _, r := range roles {
			if !s.validRole(ctx, r) {
				f[string(a)] = "validation.role"
				continue
			}
			g.Set(a, auth.Role(r))
		}
	}
	in.Tags = NormalizeTags(in.Tags, in.TagList)
	for _, t := range in.Tags {
		if !ValidTag(t) {
			f["tags"] = "validation.tag_format"
		}
	}
	if len(in.Tags) > 100 {
		f["tags"] = "validation.tags_many"
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	return &Category{AllowedTags: in.Tags, ParentID: in.ParentID, Name: in.Name, Slug: in.Slug, Description: strings.TrimSpace(in.Description),
		Color: strings.ToLower(in.Color), Position: in.Position, Grants: g, CreatedAt: now, UpdatedAt: now}, nil
}

// Create makes a category: administrators only.
func (s *Service) Create(ctx context.Context, v *auth.Viewer, in Input) (*Category, error) {
	if !auth.CanManageCategories(v) {
		return nil, errs.New(errs.Forbidden, "error.http_403", nil)
	}
	c, err := s.build(ctx, in, 0)
	if err != nil {
		return nil, err
	}
	if err := s.store.Create(ctx, c); err != nil {
		return nil, err
	}
	s.Invalidate()
	return c, nil
}

// Edited returns category id with its allowed tags, as an editor sees it.
func (s *Service) Edited(ctx context.Context, id int64) (*Category, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	cp := *c
	cp.Children = nil
	if cp.AllowedTags, err = s.store.AllowedTags(ctx, id); err != nil {
		return nil, err
	}
	return &cp, nil
}

// Update changes a category: administrators only.
func (s *Service) Update(ctx context.Context, v *auth.Viewer, id int64, in Input) (*Category, error) {
	if !auth.CanManageCategories(v) {
		return nil, errs.New(errs.Forbidden, "error.http_403", nil)
	}
	old, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.build(ctx, in, id)
	if err != nil {
		return nil, err
	}
	c.ID, c.CreatedAt, c.TopicsCount, c.PostsCount = old.ID, old.CreatedAt, old.TopicsCount, old.PostsCount
	if err := s.store.Update(ctx, c); err != nil {
		return nil, err
	}
	s.Invalidate()
	return c, nil
}

// HasParent says whether the form puts the category inside id.
func (in Input) HasParent(id int64) bool { return in.ParentID != nil && *in.ParentID == id }

// InputOf is the form of an existing category, to edit it.
func InputOf(c *Category) Input {
	in := Input{Name: c.Name, Slug: c.Slug, Description: c.Description, Color: c.Color, ParentID: c.ParentID,
		Position: c.Position, Read: []string{}, Start: []string{}, Reply: []string{}, TagList: strings.Join(c.AllowedTags, ", ")}
	for a, roles := range c.Grants.Allow {
		for r, ok := range roles {
			if !ok {
				continue
			}
			switch a {
			case auth.Read:
				in.Read = append(in.Read, string(r))
			case auth.Start:
				in.Start = append(in.Start, string(r))
			case auth.Reply:
				in.Reply = append(in.Reply, string(r))
			}
		}
	}
	return in
}

// Allows says whether the form grants action to role (for checkboxes).
func (in Input) Allows(action, role string) bool {
	var roles []string
	switch action {
	case "read":
		roles = in.Read
	case "start":
		roles = in.Start
	case "reply":
		roles = in.Reply
	}
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}
