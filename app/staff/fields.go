package staff

import (
	"errors"

	"causerie/app/errs"
)

// formFields renames the fields of a service's error to those of the page
// form that made the call (the API keeps the service's names).
func formFields(err error, names map[string]string) error {
	var f errs.Fields
	if !errors.As(err, &f) {
		return err
	}
	out := errs.Fields{}
	for k, v := range f {
		if n, ok := names[k]; ok {
			k = n
		}
		out[k] = v
	}
	return out
}
