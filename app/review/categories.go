package review

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"causerie/app/errs"
	"causerie/app/web"
)

func (h *handlers) categoriesShow(c echo.Context) error {
	rules, err := h.svc.CategoryRules(c.Request().Context(), web.Viewer(c))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "review/categories", rules)
}

func (h *handlers) categoriesUpdate(c echo.Context) error {
	id, err := strconv.ParseInt(c.FormValue("category_id"), 10, 64)
	if err != nil {
		return errs.Fields{"category_id": "review.filter_invalid"}
	}
	if err := h.svc.SetRequireApproval(c.Request().Context(), web.Viewer(c), id, c.FormValue("require_approval") == "1"); err != nil {
		return err
	}
	return web.Redirect(c, "/review/categories", "flash.review_rule_saved")
}
