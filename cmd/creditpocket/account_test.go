package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"creditpocket/internal/config"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

func TestSignUpProfileAndBankCard(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		tok := a.signUp("07068425023")

		var st struct {
			Steps []struct {
				Step string `json:"step"`
				Done bool   `json:"done"`
			} `json:"steps"`
			Complete bool   `json:"complete"`
			Next     string `json:"next"`
		}
		a.ok("GET", "/user/info/authStatus", nil, tok).decode(t, &st)
		if st.Complete || st.Next != "basic" || len(st.Steps) != 4 {
			t.Fatalf("fresh auth status = %+v", st)
		}
		a.ok("POST", "/user/info/basic", basicInfo(), tok)
		a.ok("POST", "/user/info/contacts", contactsBody(), tok)
		a.ok("POST", "/user/info/work", workBody(), tok)
		var card struct {
			ID, BankNo, BankName, BankAccNo, BankCardNo string
			IsDefault                                   bool
		}
		a.ok("POST", "/user/bankcard", cardBody(), tok).decode(t, &card)
		if card.BankName != "GT Bank" || card.BankAccNo != "******5447" || card.BankCardNo != "5399********9214" || !card.IsDefault {
			t.Fatalf("card = %+v", card)
		}
		a.ok("GET", "/home/authStatus", nil, tok).decode(t, &st)
		if !st.Complete || st.Next != "" {
			t.Fatalf("auth status after every step = %+v", st)
		}

		var info struct {
			Mobile, FirstName, IDNumber string
			Contacts                    []struct{ Mobile string }
			DefaultCard                 struct{ BankAccNo string }
		}
		a.ok("GET", "/user/info", nil, tok).decode(t, &info)
		if info.Mobile != "7068425023" || info.FirstName != "Hussein" || info.IDNumber != "*******8734" ||
			len(info.Contacts) != 2 || info.DefaultCard.BankAccNo != "******5447" {
			t.Fatalf("user info = %+v", info)
		}

		t.Run("the ID and account numbers are encrypted at rest", func(t *testing.T) {
			for _, secret := range []string{"22167288734", "0163505447", "5399834490759214"} {
				if n := a.countPlaintext(secret); n != 0 {
					t.Errorf("%s appears in plain text in %d column(s)", secret, n)
				}
			}
		})

		t.Run("micro-deposit verification", func(t *testing.T) {
			var v struct {
				Sent, Verified bool
				AttemptsLeft   int
				SandboxAmount  string
			}
			a.ok("GET", "/bankcard/verifyAmount?id="+card.ID, nil, tok).decode(t, &v)
			if !v.Sent || v.SandboxAmount == "" || v.AttemptsLeft != 3 {
				t.Fatalf("verification = %+v", v)
			}
			amount := v.SandboxAmount
			again := a.ok("GET", "/bankcard/verifyAmount?id="+card.ID, nil, tok)
			again.decode(t, &v)
			if v.SandboxAmount != amount {
				t.Fatalf("second call sent a new deposit %s, want %s", v.SandboxAmount, amount)
			}
			if e := a.req("GET", "/bankcard/verifyCallback?id="+card.ID+"&amount=1", nil, tok); e.Status != 400 || !strings.HasPrefix(e.Message, "amount:") {
				t.Fatalf("wrong amount = %d %q", e.Status, e.Message)
			}
			a.ok("GET", "/bankcard/verifyCallback?id="+card.ID+"&amount="+amount, nil, tok).decode(t, &v)
			if !v.Verified {
				t.Fatalf("verification after the right amount = %+v", v)
			}
		})

		t.Run("transfer recipient is created once and reused", func(t *testing.T) {
			var c1, c2 struct{ RecipientCode string }
			a.ok("POST", "/user/transferRecipient", map[string]string{}, tok).decode(t, &c1)
			a.ok("POST", "/user/transferRecipient", map[string]string{"id": card.ID}, tok).decode(t, &c2)
			if !strings.HasPrefix(c1.RecipientCode, "RCP_") || c1.RecipientCode != c2.RecipientCode {
				t.Fatalf("recipient codes %q, %q", c1.RecipientCode, c2.RecipientCode)
			}
		})

		t.Run("a second card can become the default", func(t *testing.T) {
			var c2 struct{ ID string }
			a.ok("POST", "/user/bankcard", map[string]string{"bankNo": "044", "bankAccNo": nuban("044", "012345678")}, tok).decode(t, &c2)
			var d struct{ ID string }
			a.ok("POST", "/bankcard/default", map[string]string{"id": c2.ID}, tok).decode(t, &d)
			if d.ID != c2.ID {
				t.Fatalf("default = %s, want %s", d.ID, c2.ID)
			}
			var list struct {
				List  []struct{ ID string } `json:"list"`
				Total string                `json:"total"`
			}
			a.ok("GET", "/bankcard/list?pageNum=1&pageSize=10", nil, tok).decode(t, &list)
			if list.Total != "2" || list.List[0].ID != c2.ID {
				t.Fatalf("list = %+v", list)
			}
		})

		t.Run("the message centre has the welcome and card messages", func(t *testing.T) {
			var msgs struct {
				List  []struct{ Title string } `json:"list"`
				Total string                   `json:"total"`
			}
			a.ok("GET", "/message/page", nil, tok).decode(t, &msgs)
			if msgs.Total != "3" || msgs.List[len(msgs.List)-1].Title != "Welcome to creditpocket" {
				t.Fatalf("messages = %+v", msgs)
			}
		})

		t.Run("login by password and by code, then logout revokes", func(t *testing.T) {
			e := a.ok("POST", "/user/login", map[string]string{"mobile": "7068425023", "password": "s3cret-pass"}, "")
			a.ok("POST", "/sms/code", map[string]string{"mobile": "7068425023", "type": "login"}, "")
			code := a.lastCode("2347068425023")
			e2 := a.ok("POST", "/user/login", map[string]string{"mobile": "7068425023", "code": code}, "")
			if e.Token == "" || e2.Token == "" || e.Token == e2.Token {
				t.Fatal("logins did not return distinct tokens")
			}
			var il struct{ Login bool }
			a.ok("GET", "/user/isLogin", nil, e.Token).decode(t, &il)
			if !il.Login {
				t.Fatal("isLogin false for a live token")
			}
			a.ok("GET", "/user/logout", nil, e.Token)
			a.ok("GET", "/user/isLogin", nil, e.Token).decode(t, &il)
			if il.Login {
				t.Fatal("isLogin true after logout")
			}
			if r := a.req("GET", "/user/info", nil, e.Token); r.Status != 401 {
				t.Fatalf("revoked token got %d", r.Status)
			}
			a.ok("GET", "/user/info", nil, e2.Token) // other sessions live on
		})
	})
}

func TestDictionariesAndSupport(t *testing.T) {
	a := newTestApp(t, store.SQLite)
	var banks struct {
		List []struct{ BankNo, BankName string } `json:"list"`
	}
	a.ok("GET", "/bankcard/banks", nil, "").decode(t, &banks)
	if len(banks.List) < 20 {
		t.Fatalf("%d banks", len(banks.List))
	}
	var cities struct {
		List  []struct{ Code, State string } `json:"list"`
		Total string                         `json:"total"`
	}
	a.ok("GET", "/dict/cities?state=Lagos&pageSize=2", nil, "").decode(t, &cities)
	if cities.Total != "5" || len(cities.List) != 2 || cities.List[0].State != "Lagos" {
		t.Fatalf("cities = %+v", cities)
	}
	a.ok("GET", "/dict/incomes", nil, "")
	a.ok("POST", "/support/hotQuestions?pageNum=1&pageSize=3", nil, "")
	a.ok("GET", "/support/phones", nil, "")
	var email struct{ Email string }
	a.ok("GET", "/support/email", nil, "").decode(t, &email)
	if email.Email == "" {
		t.Fatal("no support e-mail")
	}
}

// countPlaintext counts text columns holding s anywhere in the database.
func (a *testApp) countPlaintext(s string) int {
	a.t.Helper()
	checks := map[string][]string{
		"profiles":   {"id_number_mask", "id_number_hash", "first_name", "address"},
		"bank_cards": {"account_mask", "account_hash", "pan_mask", "account_name"},
		"messages":   {"content"},
	}
	n := 0
	for table, cols := range checks {
		for _, c := range cols {
			var k int
			a.app.DB.View(t0ctx, func(ctx context.Context, tx *store.Tx) error {
				return tx.QueryRow(t0ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE %s LIKE $1`, table, c), "%"+s+"%").Scan(&k)
			})
			n += k
		}
	}
	return n
}

// nuban returns a 10-digit NUBAN for bank and a 9-digit serial.
func nuban(bank, serial string) string {
	w := []int{3, 7, 3, 3, 7, 3, 3, 7, 3, 3, 7, 3}
	sum := 0
	for i, c := range bank + serial {
		sum += int(c-'0') * w[i]
	}
	return serial + fmt.Sprint((10-sum%10)%10)
}

func TestOTPLimitsHoldUnderConcurrentGuessing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		a.ok("POST", "/sms/code", map[string]string{"mobile": "08011112222", "type": "register"}, "")
		right := a.lastCode("2348011112222")
		wrong := "000000"
		if right == wrong {
			wrong = "111111"
		}
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := a.req("POST", "/sms/verify", map[string]string{"mobile": "08011112222", "code": wrong}, "")
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[400] != 5 || statuses[429] != 45 {
			t.Fatalf("50 concurrent wrong guesses gave %v; want 5×400 and 45×429", statuses)
		}
		if r := a.req("POST", "/user/register", map[string]string{"mobile": "08011112222", "code": right, "password": "s3cret-pass"}, ""); r.Status != 429 {
			t.Fatalf("the right code after 5 wrong tries = %d %q; want 429", r.Status, r.Message)
		}

		t.Run("concurrent sends to one phone give one code", func(t *testing.T) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			got := map[int]int{}
			for range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := a.req("POST", "/sms/code", map[string]string{"mobile": "08033334444", "type": "register"}, "")
					mu.Lock()
					got[r.Status]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if got[200] != 1 || got[429] != 19 {
				t.Fatalf("20 concurrent sends gave %v; want 1×200 and 19×429", got)
			}
		})
	})
}

func TestEveryProtectedEndpointRefusesMissingAndRevokedTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		revoked := a.signUp("08055556666")
		a.ok("GET", "/user/logout", nil, revoked)
		live := a.signUp("08077778888")
		doc := a.openAPI()
		n := 0
		for path, ops := range doc.Paths {
			for method, op := range ops {
				if len(op.Security) == 0 {
					continue
				}
				n++
				method = strings.ToUpper(method)
				for name, tok := range map[string]string{"missing": "", "revoked": revoked, "garbage": "not-a-token", "live token in the wrong scheme": "Basic " + live} {
					var r env
					if name == "live token in the wrong scheme" {
						r = a.req(method, path, nil, "", "Authorization: "+tok)
					} else {
						r = a.req(method, path, nil, tok)
					}
					if r.Status != http.StatusUnauthorized || r.Code != 4010 {
						t.Errorf("%s %s with %s token = %d %d %q; want 401", method, path, name, r.Status, r.Code, r.Message)
					}
				}
			}
		}
		if n < 15 {
			t.Fatalf("only %d protected operations documented", n)
		}
		t.Run("the token header works like Authorization", func(t *testing.T) {
			if r := a.req("GET", "/user/info", nil, "", "token: "+live); r.Status != 200 {
				t.Fatalf("token header = %d %q", r.Status, r.Message)
			}
		})
	})
}

func TestBorrowersCannotReachEachOthersData(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		ta := a.signUp("07068425023")
		tb := a.signUp("08099990000")
		a.ok("POST", "/user/info/basic", basicInfo(), ta)
		a.ok("POST", "/user/info/contacts", contactsBody(), ta)
		a.ok("POST", "/user/info/work", workBody(), ta)
		var ca struct{ ID string }
		a.ok("POST", "/user/bankcard", cardBody(), ta).decode(t, &ca)
		before := a.rowCounts()

		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/bankcard/verifyAmount?id=" + ca.ID, nil},
			{"GET", "/bankcard/verifyCallback?id=" + ca.ID + "&amount=500", nil},
			{"POST", "/bankcard/default", map[string]string{"id": ca.ID}},
			{"POST", "/user/transferRecipient", map[string]string{"id": ca.ID}},
		} {
			r := a.req(c.method, c.path, c.body, tb)
			if r.Status != 404 {
				t.Errorf("B %s %s on A's card = %d %q; want 404", c.method, c.path, r.Status, r.Message)
			}
		}
		var info struct {
			FirstName   string
			Contacts    []any
			Work        any
			DefaultCard any
		}
		a.ok("GET", "/user/info", nil, tb).decode(t, &info)
		if info.FirstName != "" || len(info.Contacts) != 0 || info.Work != nil || info.DefaultCard != nil {
			t.Fatalf("B sees %+v", info)
		}
		var list struct{ Total string }
		a.ok("GET", "/bankcard/list", nil, tb).decode(t, &list)
		if list.Total != "0" {
			t.Fatalf("B lists %s cards", list.Total)
		}
		// B saving a profile changes only B's rows.
		a.ok("POST", "/user/info/contacts", map[string]any{"contacts": []map[string]string{
			{"name": "X Y", "mobile": "08031234567", "relationship": "friend"}, {"name": "Z W", "mobile": "08041234567", "relationship": "parent"}}}, tb)
		var ainfo struct{ Contacts []struct{ Name string } }
		a.ok("GET", "/user/info", nil, ta).decode(t, &ainfo)
		if len(ainfo.Contacts) != 2 || ainfo.Contacts[0].Name != "Amina Sulyman" {
			t.Fatalf("A's contacts changed: %+v", ainfo.Contacts)
		}
		if d := diffCounts(before, a.rowCounts()); d != "contacts 2→4" {
			t.Fatalf("rows changed: %s", d)
		}
	})
}

// Behind a load balancer every request comes from the balancer. With the
// balancer trusted (--trusted-proxies), the SMS codes a client IP may ask
// for are counted per client named in X-Forwarded-For; without it, the
// header is ignored, so a client cannot escape the limit by inventing one.
// An IPv6 client is counted by its /64 (one subscriber's prefix), and an
// IPv4-mapped address as the IPv4 one, so walking addresses escapes nothing.
func TestSMSCodeLimitsPerIPCountTheClientBehindATrustedProxy(t *testing.T) {
	send := func(a *testApp, mobile, forwardedFor string) int {
		return a.req("POST", "/sms/code", map[string]string{"mobile": mobile, "type": "register"}, "",
			"X-Forwarded-For: "+forwardedFor).Status
	}
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		behind := newTestAppWith(t, e, func(c *config.Config) { c.TrustedProxies = "127.0.0.0/8, ::1" })
		behind.app.Server.Accounts.Config.OTPDailyPerIP = 2
		for i, tc := range []struct {
			client string
			want   int
		}{{"203.0.113.9", 200}, {"203.0.113.9", 200}, {"203.0.113.9", 429}, {"198.51.100.20", 200}} {
			if got := send(behind, fmt.Sprintf("080111100%02d", i), "10.9.9.9, "+tc.client); got != tc.want {
				t.Fatalf("code %d for client %s behind the proxy = %d, want %d", i+1, tc.client, got, tc.want)
			}
		}

		behind.app.Server.Accounts.Config.OTPDailyPerIP = 2
		for i, tc := range []struct {
			client string
			want   int
		}{{"2001:db8:1:2::1", 200}, {"2001:db8:1:2::2", 200}, {"2001:db8:1:2:ffff::3", 429}, {"2001:db8:1:3::1", 200},
			{"::ffff:192.0.2.7", 200}, {"192.0.2.7", 200}, {"::ffff:192.0.2.7", 429}} {
			if got := send(behind, fmt.Sprintf("080333300%02d", i), tc.client); got != tc.want {
				t.Fatalf("code %d for client %s (IPv6 counted by /64) = %d, want %d", i+1, tc.client, got, tc.want)
			}
		}

		direct := newTestApp(t, e)
		direct.app.Server.Accounts.Config.OTPDailyPerIP = 2
		for i, want := range []int{200, 200, 429} {
			if got := send(direct, fmt.Sprintf("080222200%02d", i), fmt.Sprintf("203.0.113.%d", i)); got != want {
				t.Fatalf("code %d with an invented X-Forwarded-For = %d, want %d", i+1, got, want)
			}
		}
	})
}
