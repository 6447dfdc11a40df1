package policy

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// WordsPage is the data of the watched-words page: the list, the form that
// adds a word, and the form that tries a text against the list.
type WordsPage struct {
	Words   []Word
	Actions []string
	TryText string
	Trial   *Trial
}

func (h *handlers) wordsPage(c echo.Context) (*WordsPage, error) {
	ws, err := h.svc.Words(c.Request().Context(), web.Viewer(c))
	if err != nil {
		return nil, err
	}
	return &WordsPage{Words: ws, Actions: Actions}, nil
}

func (h *handlers) wordsShow(c echo.Context) error {
	p, err := h.wordsPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "policy/words", web.Form{Values: WordInput{Action: ActionBlock}, Extra: p})
}

func (h *handlers) wordCreate(c echo.Context) error {
	p, err := h.wordsPage(c)
	if err != nil {
		return err
	}
	var in WordInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	if _, err := h.svc.CreateWord(c.Request().Context(), web.Viewer(c), in); err != nil {
		return web.RenderForm(c, "policy/words", in, p, err)
	}
	return web.Redirect(c, "/admin/watched-words", "flash.policy_word_created")
}

func (h *handlers) wordsTry(c echo.Context) error {
	p, err := h.wordsPage(c)
	if err != nil {
		return err
	}
	p.TryText = c.FormValue("text")
	t, err := h.svc.Try(c.Request().Context(), web.Viewer(c), p.TryText)
	if err != nil {
		return err
	}
	p.Trial = &t
	return web.Render(c, http.StatusOK, "policy/words", web.Form{Values: WordInput{Action: ActionBlock}, Extra: p})
}

// WordEditPage is the data of the page that changes one watched word.
type WordEditPage struct {
	Word    *Word
	Actions []string
}

func (h *handlers) wordEdit(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	w, err := h.svc.Word(c.Request().Context(), web.Viewer(c), id)
	if err != nil {
		return err
	}
	in := WordInput{Pattern: w.Pattern, Regex: w.IsRegex, Action: w.Action, Replacement: w.Replacement}
	return web.Render(c, http.StatusOK, "policy/word_edit", web.Form{Values: in, Extra: &WordEditPage{Word: w, Actions: Actions}})
}

func (h *handlers) wordUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, v := c.Request().Context(), web.Viewer(c)
	w, err := h.svc.Word(ctx, v, id)
	if err != nil {
		return err
	}
	var in WordInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	if _, err := h.svc.UpdateWord(ctx, v, id, in); err != nil {
		return web.RenderForm(c, "policy/word_edit", in, &WordEditPage{Word: w, Actions: Actions}, err)
	}
	return web.Redirect(c, "/admin/watched-words", "flash.policy_word_updated")
}

func (h *handlers) wordDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteWord(c.Request().Context(), web.Viewer(c), id); err != nil {
		return err
	}
	return web.Redirect(c, "/admin/watched-words", "flash.policy_word_deleted")
}
