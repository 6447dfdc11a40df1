package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"causerie/app/errs"
	"causerie/app/topic"
	"causerie/app/user"
)

// Mail goes out from the periodic jobs only, never during a request. A job
// first claims the member (a conditional update of last_mailed_at or
// last_digest_at), so two nodes, or a run that overlaps the next, cannot
// mail the same member twice; a failed send gives the claim back, and the
// job is retried.

// pendingFor bounds how far back an immediate mail looks: a member who
// turns immediate mail on is not sent weeks of old news.
const pendingFor = 48 * time.Hour

// mailBatch is how many members one run mails, and how many items one
// message lists.
const mailBatch = 200
const mailItems = 50

// mailBatches mails each member who chose immediate e-mail what they have
// not read nor been mailed yet, all in one message, when their last one is
// at least [mail] batch_minutes old.
func (s *Service) mailBatches(ctx context.Context) error {
	now := s.now()
	cutoff := now.Add(-time.Duration(s.cfg.Mail.BatchMinutes) * time.Minute)
	var ids []int64
	err := s.db.WithContext(ctx).Table("notifications AS n").Joins("JOIN users u ON u.id = n.user_id").
		Where("n.mailed_at IS NULL AND n.read_at IS NULL AND n.created_at >= ? AND n.kind IN ?", now.Add(-pendingFor), mailKinds).
		Where("u.email_frequency = ? AND u.email_confirmed_at IS NOT NULL", FreqImmediate).
		Where("u.last_mailed_at IS NULL OR u.last_mailed_at <= ?", cutoff).
		Distinct().Order("n.user_id").Limit(mailBatch).Pluck("n.user_id", &ids).Error
	if err != nil {
		return fmt.Errorf("members to mail: %w", err)
	}
	var all []error
	for _, id := range ids {
		if err := s.mailOne(ctx, id, now, cutoff); err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

func (s *Service) mailOne(ctx context.Context, userID int64, now, cutoff time.Time) error {
	u, err := user.NewStore(s.db).Get(ctx, userID)
	if err != nil {
		return err
	}
	claimed, err := s.claim(ctx, u, "last_mailed_at", u.LastMailedAt, now, cutoff, FreqImmediate)
	if err != nil || !claimed {
		return err
	}
	items, _, err := s.List(ctx, u.Viewer(), ListQuery{UnreadOnly: true, Limit: mailItems, kinds: mailKinds,
		since: now.Add(-pendingFor), unmailed: true})
	if err == nil && len(items) == 0 {
		return s.unclaim(ctx, u, "last_mailed_at", u.LastMailedAt, now) // nothing they may still see
	}
	if err == nil {
		err = s.send(ctx, u, "notifications", s.mailData(u, items, nil))
	}
	if err != nil {
		return errors.Join(fmt.Errorf("mail notifications to member %d: %w", u.ID, err),
			s.unclaim(ctx, u, "last_mailed_at", u.LastMailedAt, now))
	}
	return s.markMailed(ctx, items, now)
}

// claim sets column to now when it is still what was read (and older than
// cutoff), for a member who still wants this kind of mail.
func (s *Service) claim(ctx context.Context, u *user.User, column string, was *time.Time, now, cutoff time.Time, freq string) (bool, error) {
	if was != nil && was.After(cutoff) {
		return false, nil
	}
	q := s.db.WithContext(ctx).Model(&user.User{}).Where("id = ? AND email_frequency = ?", u.ID, freq)
	if was == nil {
		q = q.Where(column + " IS NULL")
	} else {
		q = q.Where(column+" = ?", *was)
	}
	res := q.UpdateColumn(column, now)
	if res.Error != nil {
		return false, fmt.Errorf("claim mail of member %d: %w", u.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// unclaim puts column back, when the mail did not go.
func (s *Service) unclaim(ctx context.Context, u *user.User, column string, was *time.Time, now time.Time) error {
	err := s.db.WithContext(ctx).Model(&user.User{}).Where("id = ? AND "+column+" = ?", u.ID, now).UpdateColumn(column, was).Error
	if err != nil {
		return fmt.Errorf("release mail claim of member %d: %w", u.ID, err)
	}
	return nil
}

func (s *Service) markMailed(ctx context.Context, items []*Item, now time.Time) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	err := s.db.WithContext(ctx).Model(&Notification{}).Where("id IN ?", ids).UpdateColumn("mailed_at", now).Error
	if err != nil {
		return fmt.Errorf("mark notifications mailed: %w", err)
	}
	return nil
}

// mailItem is one line of a mail.
type mailItem struct {
	Text, Topic, URL string
}

func (s *Service) mailData(u *user.User, items []*Item, topics []*topic.Item) map[string]any {
	tr := s.bundle.For(s.lang(u))
	lines := make([]mailItem, 0, len(items))
	for _, it := range items {
		m := mailItem{Text: it.Describe(tr), URL: s.absolute(it.URL())}
		if it.Topic != nil {
			m.Topic = it.Topic.Title
		}
		lines = append(lines, m)
	}
	tops := make([]mailItem, 0, len(topics))
	for _, t := range topics {
		tops = append(tops, mailItem{Topic: t.Title, URL: s.absolute(t.URL())})
	}
	return map[string]any{"Name": u.Name(), "Items": lines, "Count": len(lines), "Topics": tops,
		"Settings": s.absolute("/account"), "Unsubscribe": s.UnsubscribeURL(u.ID)}
}

// send writes the mail template name to the member, in their language,
// with the headers that let mail programs offer one-click unsubscribing.
func (s *Service) send(ctx context.Context, u *user.User, name string, data map[string]any) error {
	msg, err := s.mailer.Compose(name, s.lang(u), u.Email, data)
	if err != nil {
		return err
	}
	msg.Headers = map[string]string{
		"List-Unsubscribe":      "<" + s.UnsubscribeURL(u.ID) + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}
	return s.mailer.Deliver(ctx, msg)
}

// digests: the frequency, its period, and the "top" list that goes with it.
var digests = []struct {
	freq, period string
	every        time.Duration
}{{FreqDaily, "day", 24 * time.Hour}, {FreqWeekly, "week", 7 * 24 * time.Hour}}

// digestTopics is how many of the period's best topics a digest lists.
const digestTopics = 5

// mailDigests sends each member who chose a daily or weekly digest, once
// their period is over, their unread notifications of the period and the
// best topics they can read.
func (s *Service) mailDigests(ctx context.Context) error {
	now := s.now()
	var all []error
	for _, d := range digests {
		cutoff := now.Add(-d.every)
		var ids []int64
		err := s.db.WithContext(ctx).Model(&user.User{}).
			Where("email_frequency = ? AND email_confirmed_at IS NOT NULL", d.freq).
			Where("last_digest_at IS NULL OR last_digest_at <= ?", cutoff).
			Order("id").Limit(mailBatch).Pluck("id", &ids).Error
		if err != nil {
			return fmt.Errorf("members due a %s digest: %w", d.freq, err)
		}
		for _, id := range ids {
			if err := s.digestOne(ctx, id, d.freq, d.period, now, cutoff); err != nil {
				all = append(all, err)
			}
		}
	}
	return errors.Join(all...)
}

func (s *Service) digestOne(ctx context.Context, userID int64, freq, period string, now, cutoff time.Time) error {
	u, err := user.NewStore(s.db).Get(ctx, userID)
	if err != nil {
		return err
	}
	claimed, err := s.claim(ctx, u, "last_digest_at", u.LastDigestAt, now, cutoff, freq)
	if err != nil || !claimed {
		return err
	}
	v := u.Viewer()
	items, _, err := s.List(ctx, v, ListQuery{UnreadOnly: true, Limit: mailItems, since: cutoff, unmailed: true})
	var top []*topic.Item
	if err == nil {
		var list *topic.List
		list, err = s.topics.List(ctx, v, topic.ListQuery{Filter: topic.ListTop, Period: period})
		if err == nil {
			top = list.Items[:min(len(list.Items), digestTopics)]
		}
	}
	if err == nil && len(items) == 0 && len(top) == 0 {
		return nil // a quiet period: no mail, and the next period starts now
	}
	if err == nil {
		data := s.mailData(u, items, top)
		data["Period"] = period
		err = s.send(ctx, u, "digest", data)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("mail the %s digest to member %d: %w", freq, u.ID, err),
			s.unclaim(ctx, u, "last_digest_at", u.LastDigestAt, now))
	}
	return s.markMailed(ctx, items, now)
}

// UnsubscribeToken signs a member's ID, so the link in a mail works
// without logging in, and for that member only.
func (s *Service) UnsubscribeToken(userID int64) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("causerie unsubscribe:" + strconv.FormatInt(userID, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// UnsubscribeURL is the one-click link every notification mail carries.
func (s *Service) UnsubscribeURL(userID int64) string {
	return s.absolute(fmt.Sprintf("/unsubscribe?u=%d&t=%s", userID, s.UnsubscribeToken(userID)))
}

// ErrBadUnsubscribe is a link that was not made by this forum.
var ErrBadUnsubscribe = errs.New(errs.NotFound, "notify.unsubscribe_invalid", nil)

// Unsubscribe stops every notification mail to the member the signed link
// names; using it again changes nothing.
func (s *Service) Unsubscribe(ctx context.Context, userID int64, token string) error {
	want := s.UnsubscribeToken(userID)
	if userID < 1 || !hmac.Equal([]byte(token), []byte(want)) {
		return ErrBadUnsubscribe
	}
	res := s.db.WithContext(ctx).Model(&user.User{}).Where("id = ?", userID).UpdateColumn("email_frequency", FreqNever)
	if res.Error != nil {
		return fmt.Errorf("unsubscribe member %d: %w", userID, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrBadUnsubscribe
	}
	return nil
}
