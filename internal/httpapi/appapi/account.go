package appapi

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/inbox"
)

var (
	mobileField      = httpapi.Field{Name: "mobile", Type: "string", Required: true, Desc: "National mobile number without the calling code, e.g. 7068425023 (a trunk 0 is accepted)"}
	countryCodeField = httpapi.Field{Name: "countryCode", Type: "string", Desc: "E.164 calling code without '+', e.g. 234; defaults to the server's --default-calling-code"}
	idQuery          = httpapi.Field{Name: "id", Type: "string", Required: true, Desc: "Bank card id"}
	pageFields       = []httpapi.Field{{Name: "pageNum", Type: "integer", Desc: "1-based page number (default 1)"}, {Name: "pageSize", Type: "integer", Desc: "Items per page, 1–100 (default 10)"}}
)

func (s *api) appRoutes() []httpapi.Route {
	return []httpapi.Route{
		{Method: "POST", Path: "/sms/code", Tag: "Sign-up", Summary: "Send a 6-digit SMS code (获取验证码). One per 60 s per phone; daily caps per phone and IP (an IPv6 client by its /64). The answer is the same whether or not the phone has an account: a login code is sent only to a registered phone, and a registered phone asking for a register code is told by SMS to log in instead.",
			Body:     []httpapi.Field{mobileField, countryCodeField, {Name: "type", Type: "string", Required: true, Desc: "What the code is for", Enum: []string{account.PurposeRegister, account.PurposeLogin}}},
			Response: "null", Handle: s.App(s.sendCode)},
		{Method: "POST", Path: "/sms/verify", Tag: "Sign-up", Summary: "Check an SMS code without using it up (验证码验证). At most 5 tries per code.",
			Body: []httpapi.Field{mobileField, countryCodeField, {Name: "code", Type: "string", Required: true, Desc: "The 6-digit code"},
				{Name: "type", Type: "string", Desc: "What the code is for (default register)", Enum: []string{account.PurposeRegister, account.PurposeLogin}}},
			Response: "null", Handle: s.App(s.verifyCode)},
		{Method: "POST", Path: "/user/register", Tag: "Sign-up", Summary: "Register with a code sent for type=register (注册). Returns a session token.",
			Body: []httpapi.Field{mobileField, countryCodeField, {Name: "code", Type: "string", Required: true, Desc: "The 6-digit code"},
				{Name: "password", Type: "string", Required: true, Desc: "8–64 characters with a letter and a digit"}},
			Response: "login", Handle: s.App(s.register)},
		{Method: "POST", Path: "/user/login", Tag: "Sign-up", Summary: "Log in with a password or an SMS code sent for type=login (用户登录). 10 failed passwords per phone per UTC day (then only a code signs in); an unknown phone is answered as a wrong password.",
			Body: []httpapi.Field{mobileField, countryCodeField, {Name: "password", Type: "string", Desc: "The password (or send code)"},
				{Name: "code", Type: "string", Desc: "A 6-digit login code (or send password)"}},
			Response: "login", Handle: s.App(s.login)},
		{Method: "GET", Path: "/user/isLogin", Tag: "Sign-up", Summary: "Whether the sent token is a live session (验证用户是否登录); never fails for a bad token, it says login=false.",
			Response: "isLogin", Handle: s.App(s.isLogin)},
		{Method: "GET", Path: "/user/logout", Tag: "Sign-up", Summary: "Revoke the session (用户退出登录).", Auth: true,
			Response: "null", Handle: s.Authed(s.logout)},

		{Method: "POST", Path: "/user/info/basic", Tag: "Profile", Summary: "Save basic information (基础信息保存). The ID number is encrypted at rest.", Auth: true,
			Body: []httpapi.Field{
				{Name: "firstName", Type: "string", Required: true, Desc: "1–50 letters"},
				{Name: "middleName", Type: "string", Desc: "0–50 letters"},
				{Name: "lastName", Type: "string", Required: true, Desc: "1–50 letters"},
				{Name: "gender", Type: "string", Required: true, Enum: account.Genders},
				{Name: "birthDate", Type: "string", Required: true, Desc: "YYYY-MM-DD; borrower 18–100 years old"},
				{Name: "email", Type: "string", Desc: "Valid e-mail, at most 64 characters"},
				{Name: "maritalStatus", Type: "string", Required: true, Enum: account.MaritalStatuses},
				{Name: "education", Type: "string", Required: true, Enum: account.Educations},
				{Name: "idType", Type: "string", Required: true, Enum: account.IDTypes},
				{Name: "idNumber", Type: "string", Required: true, Desc: "For a Nigerian identity_card the 11-digit BVN; a Chinese one is checksum- and birth-date-checked; passports 5–20 letters/digits"},
				{Name: "idCountry", Type: "string", Desc: "ISO 3166 alpha-2 of the ID (default nationality)"},
				{Name: "idValidDate", Type: "string", Desc: "YYYY-MM-DD the ID is valid until; must not be past"},
				{Name: "nationality", Type: "string", Desc: "ISO 3166 alpha-2 (default the server's country)"},
				{Name: "state", Type: "string", Required: true, Desc: "State or region, at most 100 characters"},
				{Name: "cityCode", Type: "string", Required: true, Desc: "A code from GET /dict/cities"},
				{Name: "address", Type: "string", Required: true, Desc: "5–256 characters"},
			}, Response: "null", Handle: s.Authed(s.saveBasic)},
		{Method: "POST", Path: "/user/info/contacts", Tag: "Profile", Summary: "Replace emergency contacts (保存紧急联系人信息): 2–5, distinct phones, not your own.", Auth: true,
			Body: []httpapi.Field{{Name: "contacts", Type: "array", Required: true, Items: []httpapi.Field{
				{Name: "name", Type: "string", Required: true, Desc: "1–50 letters"},
				mobileField, countryCodeField,
				{Name: "relationship", Type: "string", Required: true, Enum: account.Relationships},
			}}}, Response: "null", Handle: s.Authed(s.saveContacts)},
		{Method: "POST", Path: "/user/info/work", Tag: "Profile", Summary: "Save work information (工作信息保存).", Auth: true,
			Body: []httpapi.Field{
				{Name: "companyName", Type: "string", Required: true, Desc: "1–100 characters"},
				{Name: "companyPhone", Type: "string", Required: true, Desc: "A phone number of the server's country"},
				{Name: "companyAddress", Type: "string", Required: true, Desc: "5–256 characters"},
				{Name: "profession", Type: "string", Required: true, Desc: "1–64 characters"},
				{Name: "incomeCode", Type: "string", Required: true, Desc: "A code from GET /dict/incomes"},
			}, Response: "null", Handle: s.Authed(s.saveWork)},
		{Method: "GET", Path: "/user/info/authStatus", Tag: "Profile", Summary: "Which profile steps are complete, in the app's order (信息认证状态查询).", Auth: true,
			Response: "authStatus", Handle: s.Authed(s.authStatus)},
		{Method: "GET", Path: "/home/authStatus", Tag: "Profile", Summary: "The same completion status for the home screen (用户认证状态查询).", Auth: true,
			Response: "authStatus", Handle: s.Authed(s.authStatus)},
		{Method: "GET", Path: "/user/info", Tag: "Profile", Summary: "The borrower's profile with personal numbers masked (个人信息查询).", Auth: true,
			Response: "userInfo", Handle: s.Authed(s.userInfo)},
		{Method: "GET", Path: "/user/credit", Tag: "Profile", Summary: "The borrower's credit standing (个人信用信息查询): the newest attached credit report's summary.", Auth: true,
			Response: "credit", Handle: s.Authed(s.credit)},
		{Method: "POST", Path: "/user/bankcard", Tag: "Bank cards", Summary: "Add a bank account (简单银行卡保存). NUBAN check digit verified for Nigerian banks; the first account becomes the default.", Auth: true,
			Body: []httpapi.Field{
				{Name: "bankNo", Type: "string", Required: true, Desc: "Bank code from GET /bankcard/banks, e.g. 058"},
				{Name: "bankAccNo", Type: "string", Required: true, Desc: "Account number (10-digit NUBAN for Nigerian banks)"},
				{Name: "bankAccName", Type: "string", Desc: "Name on the account"},
				{Name: "bankCardNo", Type: "string", Desc: "Debit card number (12–19 digits, Luhn-checked)"},
			}, Response: "card", Handle: s.Authed(s.addCard)},
		{Method: "POST", Path: "/user/transferRecipient", Tag: "Bank cards", Summary: "Register the account with the payment provider as a transfer recipient, once (检查及创建转移收件人).", Auth: true,
			Body: []httpapi.Field{{Name: "id", Type: "string", Desc: "Bank card id (default: the default card)"}}, Response: "card", Handle: s.Authed(s.transferRecipient)},
		{Method: "GET", Path: "/bankcard/banks", Tag: "Bank cards", Summary: "The bank list (银行卡列表字典).", Response: "list of bank", Handle: s.App(s.banks)},
		{Method: "GET", Path: "/bankcard/list", Tag: "Bank cards", Summary: "The borrower's bank accounts, default first (查询银行卡列表).", Auth: true,
			Query: pageFields, Response: "list of card", Handle: s.Authed(s.cards)},
		{Method: "GET", Path: "/bankcard/default", Tag: "Bank cards", Summary: "The default bank account (获取默认银行卡).", Auth: true,
			Response: "card", Handle: s.Authed(s.defaultCard)},
		{Method: "POST", Path: "/bankcard/default", Tag: "Bank cards", Summary: "Make an account the default (设置默认银行卡); loans pay out to it.", Auth: true,
			Body: []httpapi.Field{{Name: "id", Type: "string", Required: true, Desc: "Bank card id"}}, Response: "card", Handle: s.Authed(s.setDefaultCard)},
		{Method: "GET", Path: "/bankcard/verifyAmount", Tag: "Bank cards", Summary: "Send a micro-deposit to verify the account (获取绑卡认证金额); idempotent. The sandbox reveals the amount as sandboxAmount.", Auth: true,
			Query: []httpapi.Field{idQuery}, Response: "verification", Handle: s.Authed(s.verifyAmount)},
		{Method: "GET", Path: "/bankcard/verifyCallback", Tag: "Bank cards", Summary: "Confirm the micro-deposit amount (是否验证绑卡回调); 3 tries.", Auth: true,
			Query: []httpapi.Field{idQuery, {Name: "amount", Type: "string", Required: true, Desc: "The deposit in minor units, e.g. 157"}}, Response: "verification", Handle: s.Authed(s.verifyCallback)},

		{Method: "GET", Path: "/dict/cities", Tag: "Dictionaries", Summary: "City dictionary (城市编码字典列表查询).",
			Query: append([]httpapi.Field{{Name: "state", Type: "string", Desc: "Only cities of this state"}}, pageFields...), Response: "list of city", Handle: s.App(s.cities)},
		{Method: "GET", Path: "/dict/incomes", Tag: "Dictionaries", Summary: "Monthly income bands in minor units (查询收入字典).", Response: "list of income", Handle: s.App(s.incomes)},
		{Method: "POST", Path: "/support/hotQuestions", Tag: "Support", Summary: "Frequently asked questions (热门问题查询接口); page via query string.",
			Query: pageFields, Response: "list of question", Handle: s.App(s.hotQuestions)},
		{Method: "GET", Path: "/support/phones", Tag: "Support", Summary: "Customer-service phone lines (客服电话列表).", Response: "list of phone", Handle: s.App(s.supportPhones)},
		{Method: "GET", Path: "/support/email", Tag: "Support", Summary: "Customer-service e-mail (邮箱).", Response: "email", Handle: s.App(s.supportEmail)},
		{Method: "GET", Path: "/message/page", Tag: "Messages", Summary: "The borrower's message centre, newest first (消息中心查询接口).", Auth: true,
			Query: pageFields, Response: "list of message", Handle: s.Authed(s.messages)},
	}
}

type sendCodeReq struct {
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	Type        string `json:"type"`
}

func (s *api) sendCode(r *http.Request) (any, error) {
	var req sendCodeReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	return nil, s.Accounts.SendCode(r.Context(), account.SendCodeInput{Mobile: req.Mobile, CountryCode: req.CountryCode, Purpose: req.Type, IP: clientIP(r)})
}

type verifyCodeReq struct {
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	Code        string `json:"code"`
	Type        string `json:"type"`
}

func (s *api) verifyCode(r *http.Request) (any, error) {
	var req verifyCodeReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	return nil, s.Accounts.VerifyCode(r.Context(), account.VerifyCodeInput{Mobile: req.Mobile, CountryCode: req.CountryCode, Code: req.Code, Purpose: req.Type})
}

type registerReq struct {
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	Code        string `json:"code"`
	Password    string `json:"password"`
}

type loginView struct {
	Token       string `json:"token"`
	UID         string `json:"uid"`
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	ExpiresTime string `json:"expiresTime"`
}

func (s *api) loginResult(c *account.Credentials) httpapi.WithToken {
	return httpapi.WithToken{Token: c.Token, Data: loginView{
		Token: c.Token, UID: strconv.FormatInt(c.User.ID, 10), Mobile: c.User.Mobile,
		CountryCode: strconv.Itoa(c.User.CallingCode),
		ExpiresTime: s.TimeText(c.ExpiresAt),
	}}
}

func (s *api) register(r *http.Request) (any, error) {
	var req registerReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	c, err := s.Accounts.Register(r.Context(), account.RegisterInput{Mobile: req.Mobile, CountryCode: req.CountryCode, Code: req.Code, Password: req.Password, IP: clientIP(r)})
	if err != nil {
		return nil, err
	}
	return s.loginResult(c), nil
}

type loginReq struct {
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	Password    string `json:"password"`
	Code        string `json:"code"`
}

func (s *api) login(r *http.Request) (any, error) {
	var req loginReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	c, err := s.Accounts.Login(r.Context(), account.LoginInput{Mobile: req.Mobile, CountryCode: req.CountryCode, Password: req.Password, Code: req.Code, IP: clientIP(r)})
	if err != nil {
		return nil, err
	}
	return s.loginResult(c), nil
}

type isLoginView struct {
	Login bool   `json:"login"`
	UID   string `json:"uid"`
}

func (s *api) isLogin(r *http.Request) (any, error) {
	sess, err := s.Accounts.Authenticate(r.Context(), httpapi.Bearer(r))
	if errs.Is(err, errs.Unauthenticated) {
		return isLoginView{}, nil
	}
	if err != nil {
		return nil, err
	}
	return isLoginView{Login: true, UID: strconv.FormatInt(sess.UserID, 10)}, nil
}

func (s *api) logout(r *http.Request, _ *account.Session) (any, error) {
	return nil, s.Accounts.Logout(r.Context(), httpapi.Bearer(r))
}

type basicReq struct {
	FirstName     string `json:"firstName"`
	MiddleName    string `json:"middleName"`
	LastName      string `json:"lastName"`
	Gender        string `json:"gender"`
	BirthDate     string `json:"birthDate"`
	Email         string `json:"email"`
	MaritalStatus string `json:"maritalStatus"`
	Education     string `json:"education"`
	IDType        string `json:"idType"`
	IDNumber      string `json:"idNumber"`
	IDCountry     string `json:"idCountry"`
	IDValidDate   string `json:"idValidDate"`
	Nationality   string `json:"nationality"`
	State         string `json:"state"`
	CityCode      string `json:"cityCode"`
	Address       string `json:"address"`
}

func (s *api) saveBasic(r *http.Request, sess *account.Session) (any, error) {
	var req basicReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	return nil, s.Accounts.SaveBasicInfo(r.Context(), sess.UserID, account.BasicInfoInput(req))
}

type contactReq struct {
	Name         string `json:"name"`
	Mobile       string `json:"mobile"`
	CountryCode  string `json:"countryCode"`
	Relationship string `json:"relationship"`
}

type contactsReq struct {
	Contacts []contactReq `json:"contacts"`
}

func (s *api) saveContacts(r *http.Request, sess *account.Session) (any, error) {
	var req contactsReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	in := make([]account.ContactInput, len(req.Contacts))
	for i, c := range req.Contacts {
		in[i] = account.ContactInput(c)
	}
	return nil, s.Accounts.SaveContacts(r.Context(), sess.UserID, in)
}

type workReq struct {
	CompanyName    string `json:"companyName"`
	CompanyPhone   string `json:"companyPhone"`
	CompanyAddress string `json:"companyAddress"`
	Profession     string `json:"profession"`
	IncomeCode     string `json:"incomeCode"`
}

func (s *api) saveWork(r *http.Request, sess *account.Session) (any, error) {
	var req workReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	return nil, s.Accounts.SaveWork(r.Context(), sess.UserID, account.WorkInput(req))
}

type stepView struct {
	Step string `json:"step"`
	Done bool   `json:"done"`
}

type authStatusView struct {
	Steps    []stepView `json:"steps"`
	Complete bool       `json:"complete"`
	Next     string     `json:"next"` // first step not done; "" when complete
}

func authStatusOf(steps []account.Step) authStatusView {
	v := authStatusView{Complete: account.Complete(steps)}
	for _, st := range steps {
		v.Steps = append(v.Steps, stepView{Step: st.Name, Done: st.Done})
		if !st.Done && v.Next == "" {
			v.Next = st.Name
		}
	}
	return v
}

func (s *api) authStatus(r *http.Request, sess *account.Session) (any, error) {
	steps, err := s.Accounts.AuthStatus(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	return authStatusOf(steps), nil
}

type contactView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Mobile       string `json:"mobile"`
	Relationship string `json:"relationship"`
}

type workView struct {
	CompanyName    string `json:"companyName"`
	CompanyPhone   string `json:"companyPhone"`
	CompanyAddress string `json:"companyAddress"`
	Profession     string `json:"profession"`
	IncomeCode     string `json:"incomeCode"`
}

type userInfoView struct {
	UID           string         `json:"uid"`
	Mobile        string         `json:"mobile"`
	CountryCode   string         `json:"countryCode"`
	FirstName     string         `json:"firstName"`
	MiddleName    string         `json:"middleName"`
	LastName      string         `json:"lastName"`
	Gender        string         `json:"gender"`
	BirthDate     string         `json:"birthDate"`
	Email         string         `json:"email"`
	MaritalStatus string         `json:"maritalStatus"`
	Education     string         `json:"education"`
	IDType        string         `json:"idType"`
	IDCountry     string         `json:"idCountry"`
	IDNumber      string         `json:"idNumber"` // masked
	IDValidDate   string         `json:"idValidDate"`
	Nationality   string         `json:"nationality"`
	State         string         `json:"state"`
	CityCode      string         `json:"cityCode"`
	Address       string         `json:"address"`
	Contacts      []contactView  `json:"contacts"`
	Work          *workView      `json:"work"`
	DefaultCard   *cardView      `json:"defaultCard"`
	AuthStatus    authStatusView `json:"authStatus"`
	CreatedTime   string         `json:"createdTime"`
}

func (s *api) userInfo(r *http.Request, sess *account.Session) (any, error) {
	o, err := s.Accounts.Overview(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	v := userInfoView{UID: strconv.FormatInt(o.User.ID, 10), Mobile: o.User.Mobile, CountryCode: strconv.Itoa(o.User.CallingCode),
		Contacts: []contactView{}, AuthStatus: authStatusOf(o.Steps()), CreatedTime: s.TimeText(o.User.CreatedAt)}
	if p := o.Profile; p != nil {
		v.FirstName, v.MiddleName, v.LastName, v.Gender, v.BirthDate = p.FirstName, p.MiddleName, p.LastName, p.Gender, p.BirthDate
		v.Email, v.MaritalStatus, v.Education, v.IDType, v.IDCountry = p.Email, p.MaritalStatus, p.Education, p.IDType, p.IDCountry
		v.IDNumber, v.IDValidDate, v.Nationality, v.State, v.CityCode, v.Address = p.IDNumberMask, p.IDValidDate, p.Nationality, p.State, p.CityCode, p.Address
	}
	for _, c := range o.Contacts {
		v.Contacts = append(v.Contacts, contactView{ID: strconv.FormatInt(c.ID, 10), Name: c.Name, Mobile: c.Phone, Relationship: c.Relationship})
	}
	if w := o.Work; w != nil {
		v.Work = &workView{CompanyName: w.CompanyName, CompanyPhone: w.CompanyPhone, CompanyAddress: w.CompanyAddress, Profession: w.Profession, IncomeCode: w.IncomeCode}
	}
	if o.Default != nil {
		cv := s.cardView(*o.Default)
		v.DefaultCard = &cv
	}
	return v, nil
}

type creditReportView struct {
	SerialNo             string `json:"serialNo"`
	ReportTime           string `json:"reportTime"`
	Accounts             int    `json:"accounts"`
	OverdueAccounts      int    `json:"overdueAccounts"`
	LongestOverdueMonths int    `json:"longestOverdueMonths"`
	BadDebts             int    `json:"badDebts"`
	QueriesLastMonth     int    `json:"queriesLastMonth"`
	AttachedTime         string `json:"attachedTime"`
}

type creditView struct {
	ReportAttached bool              `json:"reportAttached"`
	Report         *creditReportView `json:"report"` // the newest attached report's summary; null when none
}

func (s *api) creditOf(cr *account.CreditReport) creditView {
	return creditView{ReportAttached: true, Report: &creditReportView{SerialNo: cr.SerialNo, ReportTime: cr.ReportTime,
		Accounts: cr.Accounts, OverdueAccounts: cr.OverdueAccounts, LongestOverdueMonths: cr.LongestOverdueMonths,
		BadDebts: cr.BadDebts, QueriesLastMonth: cr.QueriesLastMonth, AttachedTime: s.TimeText(cr.CreatedAt)}}
}

func (s *api) credit(r *http.Request, sess *account.Session) (any, error) {
	cr, err := s.Accounts.LatestCreditReport(r.Context(), sess.UserID)
	if errs.Is(err, errs.NotFound) {
		return creditView{}, nil
	}
	if err != nil {
		return nil, err
	}
	return s.creditOf(cr), nil
}

type cardReq struct {
	BankNo      string `json:"bankNo"`
	BankAccNo   string `json:"bankAccNo"`
	BankAccName string `json:"bankAccName"`
	BankCardNo  string `json:"bankCardNo"`
}

type cardView struct {
	ID            string `json:"id"`
	BankNo        string `json:"bankNo"`
	BankName      string `json:"bankName"`
	BankAccNo     string `json:"bankAccNo"`   // masked
	BankAccName   string `json:"bankaccName"` // the seed's spelling
	BankCardNo    string `json:"bankCardNo"`  // masked
	IsDefault     bool   `json:"isDefault"`
	Verified      bool   `json:"verified"`
	RecipientCode string `json:"recipientCode"`
	CreatedTime   string `json:"createdTime"`
}

func (s *api) cardView(c account.BankCard) cardView {
	return cardView{ID: strconv.FormatInt(c.ID, 10), BankNo: c.BankCode, BankName: c.BankName, BankAccNo: c.AccountMask,
		BankAccName: c.AccountName, BankCardNo: c.PANMask, IsDefault: c.Default, Verified: !c.VerifiedAt.IsZero(),
		RecipientCode: c.RecipientCode, CreatedTime: s.TimeText(c.CreatedAt)}
}

func (s *api) addCard(r *http.Request, sess *account.Session) (any, error) {
	var req cardReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	c, err := s.Accounts.AddCard(r.Context(), sess.UserID, account.CardInput{BankCode: req.BankNo, AccountNo: req.BankAccNo, AccountName: req.BankAccName, CardNo: req.BankCardNo})
	if err != nil {
		return nil, err
	}
	return s.cardView(*c), nil
}

type idReq struct {
	ID json.Number `json:"id"`
}

func (s *api) transferRecipient(r *http.Request, sess *account.Session) (any, error) {
	var req idReq
	if r.ContentLength != 0 {
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return nil, err
		}
	}
	var id int64
	if req.ID != "" {
		var err error
		if id, err = httpapi.ParseID("id", req.ID); err != nil {
			return nil, err
		}
	}
	c, err := s.Accounts.EnsureRecipient(r.Context(), sess.UserID, id)
	if err != nil {
		return nil, err
	}
	return s.cardView(*c), nil
}

func (s *api) cards(r *http.Request, sess *account.Session) (any, error) {
	p, err := httpapi.PageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Accounts.Cards(r.Context(), sess.UserID, p)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(res.Items, res.Total, s.cardView), nil
}

func (s *api) defaultCard(r *http.Request, sess *account.Session) (any, error) {
	c, err := s.Accounts.DefaultCard(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	return s.cardView(*c), nil
}

func (s *api) setDefaultCard(r *http.Request, sess *account.Session) (any, error) {
	var req idReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	id, err := httpapi.ParseID("id", req.ID)
	if err != nil {
		return nil, err
	}
	if err := s.Accounts.SetDefaultCard(r.Context(), sess.UserID, id); err != nil {
		return nil, err
	}
	return s.defaultCard(r, sess)
}

type verificationView struct {
	ID            string `json:"id"`
	Sent          bool   `json:"sent"`
	Verified      bool   `json:"verified"`
	AttemptsLeft  int    `json:"attemptsLeft"`
	SandboxAmount string `json:"sandboxAmount,omitempty"`
}

func verificationOf(v *account.Verification) verificationView {
	out := verificationView{ID: strconv.FormatInt(v.CardID, 10), Sent: v.Sent, Verified: v.Verified, AttemptsLeft: v.AttemptsLeft}
	if v.SandboxAmount != 0 {
		out.SandboxAmount = strconv.FormatInt(v.SandboxAmount, 10)
	}
	return out
}

func (s *api) verifyAmount(r *http.Request, sess *account.Session) (any, error) {
	id, err := httpapi.QueryID(r, "id")
	if err != nil {
		return nil, err
	}
	v, err := s.Accounts.StartCardVerification(r.Context(), sess.UserID, id)
	if err != nil {
		return nil, err
	}
	return verificationOf(v), nil
}

func (s *api) verifyCallback(r *http.Request, sess *account.Session) (any, error) {
	id, err := httpapi.QueryID(r, "id")
	if err != nil {
		return nil, err
	}
	amount, err := httpapi.QueryID(r, "amount")
	if err != nil {
		return nil, err
	}
	v, err := s.Accounts.ConfirmCardVerification(r.Context(), sess.UserID, id, amount)
	if err != nil {
		return nil, err
	}
	return verificationOf(v), nil
}

type messageView struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	Content     string `json:"content"`
	Read        bool   `json:"read"`
	CreatedTime string `json:"createdTime"`
}

func (s *api) messages(r *http.Request, sess *account.Session) (any, error) {
	p, err := httpapi.PageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Accounts.Messages(r.Context(), sess.UserID, p)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(res.Items, res.Total, func(m inbox.Message) messageView {
		return messageView{ID: strconv.FormatInt(m.ID, 10), Kind: m.Kind, Title: m.Title, Content: m.Content, Read: m.Read, CreatedTime: s.TimeText(m.CreatedAt)}
	}), nil
}

// clientIP is the client's address: the peer's, or behind the trusted
// proxies of Server.Proxies the client their X-Forwarded-For names (the
// handler chain has put it in RemoteAddr). A client's own
// X-Forwarded-For is never believed: it could forge one to dodge the
// per-IP limits.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
