package account

import (
	"strings"
	"testing"
	"time"

	"creditpocket/internal/errs"
)

func TestArgon2idHashesAndChecks(t *testing.T) {
	h := Argon2id{Memory: 64, Time: 1, Threads: 1}
	hash, err := h.Hash("s3cret-pass")
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash = %q, %v", hash, err)
	}
	for pw, want := range map[string]bool{"s3cret-pass": true, "s3cret-pasS": false, "": false} {
		if ok, err := h.Check(hash, pw); ok != want || err != nil {
			t.Errorf("Check(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	t.Run("parameters come from the stored hash", func(t *testing.T) {
		if ok, _ := (Argon2id{Memory: 1024, Time: 3, Threads: 2}).Check(hash, "s3cret-pass"); !ok {
			t.Fatal("a hasher with other parameters could not check an old hash")
		}
	})
	t.Run("malformed hashes are errors, not matches", func(t *testing.T) {
		for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaA",
			"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
			if ok, err := h.Check(bad, "x"); ok || err == nil {
				t.Errorf("Check(%q) = %v, %v", bad, ok, err)
			}
		}
	})
}

func TestValidPAN(t *testing.T) {
	for pan, want := range map[string]bool{
		"5399834490759214": true, "4111111111111111": true, "5399834490759215": false,
		"41111111111": false, "41111111111111111111": false, "4111 1111 1111 1111": false, "": false,
	} {
		if got := validPAN(pan); got != want {
			t.Errorf("validPAN(%q) = %v", pan, got)
		}
	}
}

func TestValidPassword(t *testing.T) {
	for _, c := range []struct {
		pw   string
		rule string
	}{
		{"s3cret-pass", ""}, {"", "is required"}, {"abc12", "8 to 64"}, {strings.Repeat("a1", 33), "8 to 64"},
		{"abcdefgh", "letter and one digit"}, {"12345678", "letter and one digit"}, {"пароль123", ""},
	} {
		err := validPassword(c.pw)
		if c.rule == "" && err != nil || c.rule != "" && (err == nil || !strings.Contains(err.Error(), c.rule)) {
			t.Errorf("validPassword(%q) = %v; want %q", c.pw, err, c.rule)
		}
	}
}

func TestNamesAndTexts(t *testing.T) {
	for _, c := range []struct {
		in      string
		min     int
		wantErr bool
	}{
		{"Hussein", 1, false}, {"  Ade-Bayo O'Neil Jr. ", 1, false}, {"何志强", 1, false}, {"Zoë", 1, false},
		{"", 1, true}, {"", 0, false}, {"Bob2", 1, true}, {"Bob<script>", 1, true}, {"a\x00b", 1, true}, {strings.Repeat("a", 51), 1, true},
	} {
		v := c.in
		err := name("firstName", &v, c.min, 50)
		if (err != nil) != c.wantErr {
			t.Errorf("name(%q) = %v", c.in, err)
		}
		if err != nil && !errs.Is(err, errs.Invalid) {
			t.Errorf("name(%q) error code = %v", c.in, errs.ErrorCode(err))
		}
	}
}

func TestSessionCacheExpiresAndEvicts(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := &sessionCache{ttl: 5 * time.Second}
	s := &Session{UserID: 7, ExpiresAt: now.Add(time.Hour)}
	c.put("h", s, now)
	if got, ok := c.get("h", now.Add(4*time.Second)); !ok || got.UserID != 7 {
		t.Fatal("a fresh entry was not served")
	}
	if _, ok := c.get("h", now.Add(5*time.Second)); ok {
		t.Fatal("an entry older than the TTL was served")
	}
	c.put("h", s, now)
	c.evict("h")
	if _, ok := c.get("h", now); ok {
		t.Fatal("an evicted entry was served")
	}
	short := &Session{UserID: 8, ExpiresAt: now.Add(time.Second)}
	c.put("s", short, now)
	if _, ok := c.get("s", now.Add(2*time.Second)); ok {
		t.Fatal("a session past its own expiry was served from the cache")
	}
}
