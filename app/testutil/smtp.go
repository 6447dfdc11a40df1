package testutil

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is a real SMTP server on a loopback port that keeps every message it
// receives, so tests read the mail the forum actually sent.
type Mail struct {
	Addr string
	port int
	mu   sync.Mutex
	msgs []Message
	srv  *smtp.Server
}

// Message is one received e-mail, decoded.
type Message struct {
	From, To, Subject, Text string
	Header                  mail.Header
}

var linkRE = regexp.MustCompile(`https?://[^\s]+`)

// Link returns the first link of the message that contains part.
func (m Message) Link(part string) string {
	for _, l := range linkRE.FindAllString(m.Text, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

// StartMail starts the SMTP server; it stops when the test ends.
func StartMail(t testing.TB) *Mail {
	t.Helper()
	m := &Mail{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{m: m}, nil }))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp listen: %v", err)
	}
	m.Addr, m.port, m.srv = ln.Addr().String(), ln.Addr().(*net.TCPAddr).Port, s
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return m
}

// Port is the server's port.
func (m *Mail) Port() int { return m.port }

// All returns every message received so far.
func (m *Mail) All() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.msgs...)
}

// Last waits (a few seconds at most) for a message to to arrive and returns
// the newest one.
func (m *Mail) Last(t testing.TB, to string) Message {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		msgs := m.All()
		for i := len(msgs) - 1; i >= 0; i-- {
			if strings.EqualFold(msgs[i].To, to) {
				return msgs[i]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no mail arrived for %s (got %d messages)", to, len(m.All()))
	return Message{}
}

// Count is the number of messages received for to.
func (m *Mail) Count(to string) int {
	n := 0
	for _, msg := range m.All() {
		if strings.EqualFold(msg.To, to) {
			n++
		}
	}
	return n
}

type smtpSession struct {
	m        *Mail
	from, to string
}

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(msg.Body)
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		subject = msg.Header.Get("Subject")
	}
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, Message{From: s.from, To: s.to, Subject: subject, Text: string(body), Header: msg.Header})
	s.m.mu.Unlock()
	return nil
}
