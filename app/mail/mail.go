// Package mail writes Causerie's e-mails from the theme's mail templates in
// the recipient's language and hands them to an SMTP server. With no SMTP
// host configured (the embedded default) each message is written to the log
// instead, so a newcomer can still follow a confirmation link.
package mail

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"causerie/app/config"
	"causerie/app/i18n"
)

// Message is one e-mail, ready to send.
type Message struct {
	To      string
	Subject string
	Text    string
	// Headers are extra header fields, such as List-Unsubscribe.
	Headers map[string]string
}

// Mailer composes and sends e-mails.
type Mailer struct {
	cfg       config.Mail
	site      string
	baseURL   string
	log       *slog.Logger
	bundle    *i18n.Bundle
	templates map[string]*template.Template
}

// New parses the theme's templates/mail/*.txt: each defines "subject" and
// "body".
func New(cfg config.Config, theme fs.FS, bundle *i18n.Bundle, log *slog.Logger) (*Mailer, error) {
	m := &Mailer{cfg: cfg.Mail, site: cfg.Server.SiteName, baseURL: strings.TrimRight(cfg.Server.BaseURL, "/"),
		log: log, bundle: bundle, templates: map[string]*template.Template{}}
	names, err := fs.Glob(theme, "templates/mail/*.txt")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		t, err := template.ParseFS(theme, n)
		if err != nil {
			return nil, fmt.Errorf("theme: mail %s: %w", n, err)
		}
		name := strings.TrimSuffix(n[len("templates/mail/"):], ".txt")
		for _, part := range []string{"subject", "body"} {
			if t.Lookup(part) == nil {
				return nil, fmt.Errorf("theme: mail %s: no %q template", n, part)
			}
		}
		m.templates[name] = t
	}
	return m, nil
}

// View is what a mail template receives.
type View struct {
	Site    string
	BaseURL string
	Data    map[string]any
	tr      *i18n.Tr
}

// T translates a message ID; extra arguments are "Key", value pairs.
func (v *View) T(id string, kv ...any) string { return v.tr.T(id, i18n.Pairs(kv...)) }

// N translates a message ID in the plural form for n.
func (v *View) N(id string, n int, kv ...any) string { return v.tr.N(id, n, i18n.Pairs(kv...)) }

// Compose writes the mail template name for one recipient in lang.
func (m *Mailer) Compose(name, lang, to string, data map[string]any) (Message, error) {
	t, ok := m.templates[name]
	if !ok {
		return Message{}, fmt.Errorf("mail: no template %q", name)
	}
	v := &View{Site: m.site, BaseURL: m.baseURL, Data: data, tr: m.bundle.For(lang)}
	var subj, body bytes.Buffer
	if err := t.ExecuteTemplate(&subj, "subject", v); err != nil {
		return Message{}, fmt.Errorf("mail %s subject: %w", name, err)
	}
	if err := t.ExecuteTemplate(&body, "body", v); err != nil {
		return Message{}, fmt.Errorf("mail %s body: %w", name, err)
	}
	return Message{To: to, Subject: strings.TrimSpace(subj.String()), Text: strings.TrimSpace(body.String()) + "\n"}, nil
}

// Send composes and delivers one e-mail.
func (m *Mailer) Send(ctx context.Context, name, lang, to string, data map[string]any) error {
	msg, err := m.Compose(name, lang, to, data)
	if err != nil {
		return err
	}
	return m.Deliver(ctx, msg)
}

// Deliver hands a message to the SMTP server, or to the log when no server
// is configured.
func (m *Mailer) Deliver(ctx context.Context, msg Message) error {
	if m.cfg.Host == "" {
		m.log.Warn("mail: no [mail] host configured, so this message is written here instead of sent",
			"to", msg.To, "subject", msg.Subject, "body", msg.Text)
		return nil
	}
	gm := gomail.NewMsg()
	if err := gm.From(m.cfg.From); err != nil {
		return fmt.Errorf("mail from %q: %w", m.cfg.From, err)
	}
	if err := gm.To(msg.To); err != nil {
		return fmt.Errorf("mail to %q: %w", msg.To, err)
	}
	gm.Subject(msg.Subject)
	gm.SetDate()
	gm.SetMessageID()
	gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
	for k, v := range msg.Headers {
		gm.SetGenHeader(gomail.Header(k), v)
	}
	opts := []gomail.Option{gomail.WithPort(m.cfg.Port), gomail.WithTimeout(20 * time.Second)}
	switch m.cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.Password))
	}
	client, err := gomail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, gm); err != nil {
		return fmt.Errorf("send mail to %s via %s:%d: %w", msg.To, m.cfg.Host, m.cfg.Port, err)
	}
	return nil
}
