package cli

import (
	"causerie/app/auth"
	"causerie/app/user"
)

func userNew(username, email, password string, role auth.Role) user.NewUser {
	return user.NewUser{Username: username, Email: email, Password: password, Role: role}
}
