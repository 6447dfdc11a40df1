package upload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/user"
)

var errForbidden = errs.New(errs.Forbidden, "error.http_403", nil)

// Service checks, processes and keeps uploads.
type Service struct {
	db      *gorm.DB
	storage Storage
	cfg     config.Uploads
	allowed map[string]bool
	// work bounds the images decoded at once: each may take up to
	// MaxSourcePixels × 4 bytes of memory.
	work chan struct{}
}

// NewService returns the service keeping bytes in storage and rows in g.
func NewService(g *gorm.DB, storage Storage, cfg config.Uploads) *Service {
	allowed := map[string]bool{}
	for _, t := range cfg.AllowedFiles {
		allowed[t] = true
	}
	return &Service{db: g, storage: storage, cfg: cfg, allowed: allowed, work: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
}

// Limits are the upload settings, for the pages that explain them.
func (s *Service) Limits() config.Uploads { return s.cfg }

// Input is a file as sent: the name it had on the sender's computer, and
// its bytes, read once.
type Input struct {
	Name string
	Body io.Reader
}

// Save checks, processes and stores a file for a post. Images come back
// re-encoded and at most image_max_px on their longer side; other files of
// an allowed type are kept as they came.
func (s *Service) Save(ctx context.Context, v *auth.Viewer, in Input) (*Upload, error) {
	if !auth.CanUpload(v) {
		return nil, errForbidden
	}
	data, base, full, kind, err := s.read(in.Body, false)
	if err != nil {
		return nil, err
	}
	u := &Upload{UserID: v.ID, Kind: kind, Mime: full, OriginalName: cleanName(in.Name)}
	if kind == KindImage {
		if data, u.Mime, u.Width, u.Height, err = s.image(ctx, data, base, false); err != nil {
			return nil, err
		}
	}
	if err := s.put(ctx, u, data); err != nil {
		return nil, err
	}
	return NewStore(s.db).Add(ctx, u)
}

// SetAvatar makes an image the member's avatar: its middle square, at most
// avatar_px wide. The previous one stays stored (it may be linked from
// elsewhere); only the member's pointer moves.
func (s *Service) SetAvatar(ctx context.Context, v *auth.Viewer, in Input) (*Upload, error) {
	if !v.LoggedIn() {
		return nil, errForbidden
	}
	data, base, _, _, err := s.read(in.Body, true)
	if err != nil {
		return nil, err
	}
	u := &Upload{UserID: v.ID, Kind: KindImage, OriginalName: cleanName(in.Name)}
	if data, u.Mime, u.Width, u.Height, err = s.image(ctx, data, base, true); err != nil {
		return nil, err
	}
	if err := s.put(ctx, u, data); err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u, err = NewStore(tx).Add(ctx, u); err != nil {
			return err
		}
		return setAvatar(ctx, tx, v.ID, &u.ID)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// RemoveAvatar brings back the member's generated avatar.
func (s *Service) RemoveAvatar(ctx context.Context, v *auth.Viewer) error {
	if !v.LoggedIn() {
		return errForbidden
	}
	return setAvatar(ctx, s.db, v.ID, nil)
}

func setAvatar(ctx context.Context, g *gorm.DB, userID int64, uploadID *int64) error {
	if err := g.WithContext(ctx).Model(&user.User{}).Where("id = ?", userID).Update("avatar_upload_id", uploadID).Error; err != nil {
		return fmt.Errorf("set avatar of user %d: %w", userID, err)
	}
	return nil
}

// Open returns the upload stored under key and its bytes.
func (s *Service) Open(ctx context.Context, key string) (*Upload, io.ReadSeekCloser, time.Time, error) {
	if !ValidKey(key) {
		return nil, nil, time.Time{}, ErrNotFound
	}
	u, err := NewStore(s.db).ByKey(ctx, key)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	return s.open(ctx, u)
}

// OpenAvatar returns upload id and its bytes while it is a member's avatar.
func (s *Service) OpenAvatar(ctx context.Context, id int64) (*Upload, io.ReadSeekCloser, time.Time, error) {
	u, err := NewStore(s.db).Avatar(ctx, id)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	return s.open(ctx, u)
}

func (s *Service) open(ctx context.Context, u *Upload) (*Upload, io.ReadSeekCloser, time.Time, error) {
	f, mod, err := s.storage.Open(ctx, u.Key)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	return u, f, mod, nil
}

// read sniffs the type from the first bytes, then reads no more than that
// kind of file may weigh (plus one byte, to tell it was too much): a file
// that is too large is refused without being read to its end.
func (s *Service) read(r io.Reader, imagesOnly bool) (data []byte, base, full, kind string, err error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	switch {
	case errors.Is(err, io.EOF):
		return nil, "", "", "", errEmpty
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return nil, "", "", "", fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	full, base = sniff(head)
	limitMB := s.cfg.MaxFileMB
	switch {
	case imageTypes[base]:
		kind, limitMB = KindImage, s.cfg.MaxImageMB
	case imagesOnly, markup(head, base), !s.allowed[base]:
		return nil, "", "", "", errNotAllowed
	default:
		kind = KindFile
	}
	limit := int64(limitMB) << 20
	data, err = io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(head), r), limit+1))
	if err != nil {
		return nil, "", "", "", fmt.Errorf("read upload: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, "", "", "", errTooLarge(limitMB)
	}
	return data, base, full, kind, nil
}

// image decodes, turns upright, resizes and re-encodes an image, a few at a
// time. JPEG stays JPEG; an opaque WebP becomes JPEG; the rest (PNG, GIF,
// WebP with transparency) become PNG, which keeps transparency and sharp
// edges. An avatar is cropped square first.
func (s *Service) image(ctx context.Context, data []byte, base string, avatar bool) ([]byte, string, int, int, error) {
	select {
	case s.work <- struct{}{}:
	case <-ctx.Done():
		return nil, "", 0, 0, ctx.Err()
	}
	defer func() { <-s.work }()
	img, err := decodeImage(data, base)
	if err != nil {
		return nil, "", 0, 0, err
	}
	asJPEG := base == "image/jpeg" || (base == "image/webp" && opaque(img))
	if avatar {
		asJPEG = opaque(img)
		img = square(img, s.cfg.AvatarPx)
	} else {
		img = fit(img, s.cfg.ImageMaxPx)
	}
	out, mimeType, err := encode(img, asJPEG)
	if err != nil {
		return nil, "", 0, 0, err
	}
	return out, mimeType, img.Bounds().Dx(), img.Bounds().Dy(), nil
}

// put stores data under its SHA-256 before the row names it: a row never
// points at missing bytes (a failure after the put leaves bytes no row
// names, which the same upload tried again finds).
func (s *Service) put(ctx context.Context, u *Upload, data []byte) error {
	sum := sha256.Sum256(data)
	u.Key, u.Size = hex.EncodeToString(sum[:]), int64(len(data))
	return s.storage.Put(ctx, u.Key, bytes.NewReader(data))
}
