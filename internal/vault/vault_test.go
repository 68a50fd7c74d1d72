package vault

import (
	"bytes"
	"testing"
)

func testVault(t *testing.T) *Vault {
	t.Helper()
	v, err := New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSealOpenRoundTrip(t *testing.T) {
	v := testVault(t)
	sealed, err := v.SealString("22167288734", "profile.id_number:1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("22167288734")) {
		t.Fatal("sealed value contains the plain text")
	}
	got, err := v.OpenString(sealed, "profile.id_number:1")
	if err != nil || got != "22167288734" {
		t.Fatalf("open = %q, %v", got, err)
	}
	t.Run("a value moved to another row does not open", func(t *testing.T) {
		if _, err := v.OpenString(sealed, "profile.id_number:2"); err != ErrCorrupt {
			t.Fatalf("err = %v, want ErrCorrupt", err)
		}
	})
	t.Run("a flipped bit does not open", func(t *testing.T) {
		bad := append([]byte(nil), sealed...)
		bad[len(bad)-1] ^= 1
		if _, err := v.Open(bad, []byte("profile.id_number:1")); err != ErrCorrupt {
			t.Fatalf("err = %v, want ErrCorrupt", err)
		}
	})
	t.Run("truncated input does not open", func(t *testing.T) {
		if _, err := v.Open(sealed[:5], nil); err != ErrCorrupt {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("two seals of one value differ", func(t *testing.T) {
		again, _ := v.SealString("22167288734", "profile.id_number:1")
		if bytes.Equal(again, sealed) {
			t.Fatal("nonce reuse")
		}
	})
}

func TestHashIsKeyedAndDomainSeparated(t *testing.T) {
	v := testVault(t)
	w, _ := New(bytes.Repeat([]byte{8}, 32))
	if v.Hash("id", "1") != v.Hash("id", "1") {
		t.Fatal("hash not deterministic")
	}
	if v.Hash("id", "1") == w.Hash("id", "1") {
		t.Fatal("hash does not depend on the key")
	}
	if v.Hash("id", "1") == v.Hash("account", "1") {
		t.Fatal("hash domains collide")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"5399834490759214": "5399********9214",
		"0163505447":       "******5447",
		"22167288734":      "*******8734",
		"123":              "***",
		"":                 "",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDevKeyIsCreatedOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateDevKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateDevKey(dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load = %x, %v; want %x", k2, err, k1)
	}
}
