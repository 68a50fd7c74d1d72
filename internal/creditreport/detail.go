package creditreport

// CreditTransInfoDetail is section 三 信贷交易信息明细.
type CreditTransInfoDetail struct {
	RecoveryInfo             []RecoveryAccount   `json:"recoveryInfo"`
	AcyclicCreditAccount     []LoanAccount       `json:"acyclicCreditAccount"`
	CyclicalAmountPerAccount []LoanAccount       `json:"cyclicalAmountPerAccount"`
	CyclicalLoanAccount      []LoanAccount       `json:"cyclicalLoanAccount"`
	CreditAccount            []CardAccount       `json:"creditAccount"`
	QuasiCreditAccount       []QuasiCardAccount  `json:"quasiCreditAccount"`
	ConcernedRefundDutyInfo  RefundDutyDetail    `json:"concernedRefundDutyInfo"`
	ExtensionProtocolInfo    []ExtensionProtocol `json:"extensionProtocolInfo"`
}

// RecoveryAccount is one 被追偿 block.
type RecoveryAccount struct {
	Name                      string         `json:"name"` // block heading, "账户1"
	ManageCompany             string         `json:"manageCompany"`
	Type                      string         `json:"type"`
	CreditorReceivedDate      string         `json:"creditorReceivedDate"`
	OriginalType              string         `json:"originalType"`
	CreditorAmount            string         `json:"creditorAmount"`
	StateWhenCreditorTransfer string         `json:"stateWhenCreditorTransfer"`
	DueDate                   string         `json:"dueDate"` // date of the 截至 line, "2015年05月05日"
	AccountState              RecoveryState  `json:"accountState"`
	SpecialTransTypes         []SpecialTrans `json:"specialTransTypes"`
}

// RecoveryState holds the printed state and the one table that state prints.
type RecoveryState struct {
	Value          string          `json:"value"` // 催收 or 结束 as printed
	DebtCollection *DebtCollection `json:"debtCollection,omitempty"`
	DebtFinish     *ClosedState    `json:"debtFinish,omitempty"`
}

// DebtCollection is the 催收 state table.
type DebtCollection struct {
	SurplusAmount   string `json:"surplusAmount"`
	LatestRepayDate string `json:"latestRepayDate"`
}

// ClosedState is the short table of a closed account.
type ClosedState struct {
	AccountClosedDate string `json:"accountClosedDate"`
}

// LoanAccount is one block of 非循环贷账户, 循环额度下分账户 or 循环贷账户;
// the three kinds print the same tables.
type LoanAccount struct {
	Name                string         `json:"name"` // "账户1"
	ManageCompany       string         `json:"manageCompany"`
	AmountID            string         `json:"amountId"`
	StartDate           string         `json:"startDate"`
	DeadlineDate        string         `json:"deadlineDate"`
	RefundAmount        string         `json:"refundAmount"`
	AccountCurrencyType string         `json:"accountCurrencyType"`
	Type                string         `json:"type"`
	GuaranteeType       string         `json:"guaranteeType"`
	RefundPeriodNum     string         `json:"refundPeriodNum"`
	RefundFrequency     string         `json:"refundFrequency"`
	RefundType          string         `json:"refundType"`
	JoinRefundFlag      string         `json:"joinRefundFlag"`
	DueDate             string         `json:"dueDate"`
	AccountState        LoanState      `json:"accountState"`
	BeforeDeadlineDate  *LatestRepay   `json:"beforeDeadlineDate,omitempty"`
	RefundRecord        RefundRecord   `json:"refundRecord"`
	SpecialTransTypes   []SpecialTrans `json:"specialTransTypes"`
	CompanyInfo         []Statement    `json:"companyInfo"`
	SelfStatement       []Statement    `json:"selfStatement"`
	ObjectionLabel      []Statement    `json:"objectionLabel"`
	SpecialLabel        []Statement    `json:"specialLabel"`
}

// LoanState holds the printed 账户状态 and exactly one filled state table:
// Normal for 正常, 逾期 and 司法追偿; BadDebt for 呆账; Transfer for 转出;
// Clear for 结清. The others are nil and absent from the JSON.
type LoanState struct {
	Value    string         `json:"value"`
	Normal   *LoanNormal    `json:"normal,omitempty"`
	BadDebt  *BadDebtState  `json:"badDebt,omitempty"`
	Transfer *TransferState `json:"transfer,omitempty"`
	Clear    *ClosedState   `json:"clear,omitempty"`
}

// LoanNormal is the full state table of an open loan.
type LoanNormal struct {
	FiveLevelType      string `json:"fiveLevelType"`
	SurplusAmount      string `json:"surplusAmount"`
	SurplusPaymentNum  string `json:"surplusPaymentNum"`
	ScheduledPayment   string `json:"scheduledPayment"`
	ScheduledPayAt     string `json:"scheduledPayAt"`
	RealPayed          string `json:"realPayed"`
	LatestRepayDate    string `json:"latestRepayDate"`
	CurrOverduePeriods string `json:"currOverduePeriods"`
	CurrOverdueAmount  string `json:"currOverdueAmount"`
	Overdue31To60      string `json:"overdue31Tp60"`
	Overdue61To90      string `json:"overdue61Tp90"`
	Overdue91To180     string `json:"overdue91Tp180"`
	Overdue180         string `json:"overdue180"`
}

// BadDebtState is the 呆账 state table, shared by loans and cards.
type BadDebtState struct {
	SurplusAmount   string `json:"surplusAmount"`
	LatestRepayDate string `json:"latestRepayDate"`
}

// TransferState is the 转出 state table.
type TransferState struct {
	TransferDate string `json:"transferDate"`
}

// LatestRepay is the "2015年05月05日以后的最新还款记录" table.
type LatestRepay struct {
	Value           string `json:"value"` // the date of the heading, "2015年05月05日"
	FiveLevelType   string `json:"fiveLevelType"`
	SurplusAmount   string `json:"surplusAmount"`
	RefundDate      string `json:"refundDate"`
	RefundAmount    string `json:"refundAmount"`
	CurrRefundState string `json:"currRefundState"`
}

// RefundRecord is a repayment grid with a status and an amount per month.
type RefundRecord struct {
	DateRange string       `json:"dateRange"` // "2010年07月-2015年05月"
	StartDate string       `json:"startDate"` // "2010.07"
	EndDate   string       `json:"endDate"`   // "2015.05"
	Detail    []RefundYear `json:"detail"`    // newest year first, as printed
}

// RefundYear is one year (two printed rows) of a repayment grid.
type RefundYear struct {
	Year  string        `json:"year"`
	Month []RefundMonth `json:"month"` // months inside the range only, January first
}

// RefundMonth is one month cell pair of a repayment grid.
type RefundMonth struct {
	MonthValue string `json:"monthValue"` // "1" … "12"
	Amount     string `json:"amount"`
	State      string `json:"state"`
}

// SpecialTrans is one row of the 特殊交易 table.
type SpecialTrans struct {
	Type           string `json:"type"`
	OccurDate      string `json:"occurDate"`
	ChangeMonthNum string `json:"changeMonthNum"`
	OccurAmount    string `json:"occurAmount"`
	DetailRecord   string `json:"detailRecord"`
}

// Statement is a dated free-text note attached to an account: 机构说明,
// 本人声明, 异议标注 or 特殊标注.
type Statement struct {
	Value   string `json:"value"`
	AddDate string `json:"addDate"`
}

// CardAccount is one 贷记卡 block.
type CardAccount struct {
	Name                       string           `json:"name"`
	CardCompany                string           `json:"cardCompany"`
	AmountID                   string           `json:"amountId"`
	StartDate                  string           `json:"startDate"`
	AccountExtensionAmount     string           `json:"accountExtensionAmount"`
	SharedExtensionAmount      string           `json:"sharedExtensionAmount"`
	CurrencyType               string           `json:"currencyType"`
	Type                       string           `json:"type"`
	GuaranteeType              string           `json:"guaranteeType"`
	DueDate                    string           `json:"dueDate"`
	AccountState               CardState        `json:"accountState"`
	BigAmountSpecialPeriodInfo *BigAmountPeriod `json:"bigAmountSpecialPeriodInfo,omitempty"`
	BeforeDueDate              *LatestRepay     `json:"beforeDueDate,omitempty"`
	RefundRecord               RefundRecord     `json:"refundRecord"`
	SpecialEventInfo           string           `json:"specialEventInfo"`
	SpecialTransTypes          []SpecialTrans   `json:"specialTransTypes"`
	CompanyInfo                []Statement      `json:"companyInfo"`
	SelfStatement              []Statement      `json:"selfStatement"`
	ObjectionLabel             []Statement      `json:"objectionLabel"`
}

// CardState holds the printed 账户状态 and exactly one filled state table:
// Normal for 正常, 止付, 冻结 and 司法追偿; BadDebt for 呆账;
// AccountCanceled for 销户; Inactive for 未激活.
type CardState struct {
	Value           string         `json:"value"`
	Normal          *CardNormal    `json:"normal,omitempty"`
	BadDebt         *BadDebtState  `json:"badDebt,omitempty"`
	AccountCanceled *CanceledState `json:"accountCanceled,omitempty"`
	Inactive        *InactiveState `json:"inactive,omitempty"`
}

// CardNormal is the full state table of an open credit card.
type CardNormal struct {
	SurplusAmount                              string `json:"surplusAmount"`
	UsedAmount                                 string `json:"usedAmount"`
	UnspecifiedLargeAmountSpecificPeriodAmount string `json:"unspecifiedLargeAmountSpecificPeriodAmount"`
	SurplusPeriodsNum                          string `json:"surplusPeriodsNum"`
	Avg6MonthPay                               string `json:"avg6monthPay"`
	MaxUsedAmount                              string `json:"maxUsedAmount"`
	BillDate                                   string `json:"billDate"`
	ScheduledPayment                           string `json:"scheduledPayment"`
	RealPayed                                  string `json:"realPayed"`
	LatestRepayDate                            string `json:"latestRepayDate"`
	CurrOverduePeriods                         string `json:"currOverduePeriods"`
	CurrOverdueAmount                          string `json:"currOverdueAmount"`
}

// CanceledState is the 销户 state table.
type CanceledState struct {
	CanceledDate string `json:"canceledDate"`
}

// InactiveState is the 未激活 sentence; it carries the date of the sentence,
// "2015年05月05日".
type InactiveState struct {
	InactiveDueDate string `json:"inactiveDueDate"`
}

// BigAmountPeriod is 大额专项分期信息.
type BigAmountPeriod struct {
	PeriodAmount              string `json:"periodAmount"`
	PeriodAmountEffectiveDate string `json:"periodAmountEffectiveDate"`
	PeriodAmountDueDate       string `json:"periodAmountDueDate"`
	UsedPeriodAmount          string `json:"usedPeriodAmount"`
}

// QuasiCardAccount is one 准贷记卡 block.
type QuasiCardAccount struct {
	Name                   string         `json:"name"`
	CardCompany            string         `json:"cardCompany"`
	AmountID               string         `json:"amountId"`
	StartDate              string         `json:"startDate"`
	AccountExtensionAmount string         `json:"accountExtensionAmount"`
	SharedExtensionAmount  string         `json:"sharedExtensionAmount"`
	CurrencyType           string         `json:"currencyType"`
	GuaranteeType          string         `json:"guaranteeType"`
	DueDate                string         `json:"dueDate"`
	AccountState           QuasiCardState `json:"accountState"`
	RefundRecord           RefundRecord   `json:"refundRecord"`
	SpecialTransTypes      []SpecialTrans `json:"specialTransTypes"`
}

// QuasiCardState is CardState with the quasi-credit normal table.
type QuasiCardState struct {
	Value           string           `json:"value"`
	Normal          *QuasiCardNormal `json:"normal,omitempty"`
	BadDebt         *BadDebtState    `json:"badDebt,omitempty"`
	AccountCanceled *CanceledState   `json:"accountCanceled,omitempty"`
	Inactive        *InactiveState   `json:"inactive,omitempty"`
}

// QuasiCardNormal is the full state table of an open quasi-credit card.
type QuasiCardNormal struct {
	OverDraftAmount                 string `json:"overDraftAmount"`
	Latest6MonthsAvgOverDraftAmount string `json:"latest6MonthsAvgOverDraftAmount"`
	MaxOverDraftAmount              string `json:"maxOverDraftAmount"`
	BillDate                        string `json:"billDate"`
	RealPayed                       string `json:"realPayed"`
	LatestRepayDate                 string `json:"latestRepayDate"`
	OverDraft180UnpayedAmount       string `json:"overDraft180UnpayedAmount"`
}

// RefundDutyDetail is （七）相关还款责任信息.
type RefundDutyDetail struct {
	ConcernRefundPersonBorrow  []PersonRefundDuty  `json:"concernRefundPersonBorrow"`
	ConcernRefundCompanyBorrow []CompanyRefundDuty `json:"concernRefundCompanyBorrow"`
}

// RefundDuty is the part shared by the personal and enterprise tables.
type RefundDuty struct {
	Name                    string `json:"name"`
	ManageCompany           string `json:"manageCompany"`
	Type                    string `json:"type"`
	StartDate               string `json:"startDate"`
	DeadlineDate            string `json:"deadlineDate"`
	PersonDutyType          string `json:"personDutyType"`
	RefundDutyAmount        string `json:"refundDutyAmount"`
	CurrencyType            string `json:"currencyType"`
	GuaranteeContractSerial string `json:"guaranteeContractSerial"`
	DueDate                 string `json:"dueDate"`
	FiveLevelType           string `json:"fiveLevelType"`
	SurplusAmount           string `json:"surplusAmount"`
}

// PersonRefundDuty is one 有相关还款责任的个人借款 block.
type PersonRefundDuty struct {
	RefundDuty
	RefundState string `json:"refundState"`
}

// CompanyRefundDuty is one 有相关还款责任的企业借款 block.
type CompanyRefundDuty struct {
	RefundDuty
	OverdueMonthNum string `json:"overdueMonthNum"`
}

// ExtensionProtocol is one 授信协议 block.
type ExtensionProtocol struct {
	Name                 string `json:"name"` // "授信协议1"
	ManageCompany        string `json:"manageCompany"`
	ExtensionProtocolID  string `json:"extensionProtocolId"`
	EffectDate           string `json:"effectDate"`
	DeadlineDate         string `json:"deadlineDate"`
	ExtensionAmountScope string `json:"extensionAmountScope"`
	ExtensionAmount      string `json:"extensionAmount"`
	ExtensionLimitAmount string `json:"extensionLimitAmount"`
	ExtensionLimitSerial string `json:"extensionLimitSerial"`
	UsedAmount           string `json:"usedAmount"`
	CurrencyType         string `json:"currencyType"`
}

// NoncreditAccount is one 后付费 account of section 四.
type NoncreditAccount struct {
	Name              string        `json:"name"`
	CompanyName       string        `json:"companyName"`
	Type              string        `json:"type"`
	StartDate         string        `json:"startDate"`
	CurrPayedState    string        `json:"currPayedState"`
	CurrOverdueAmount string        `json:"currOverdueAmount"`
	AccountDate       string        `json:"accountDate"`
	RefundRecord      PaymentRecord `json:"refundRecord"`
}

// PaymentRecord is a 缴费记录 grid: one status row per year, no amounts.
type PaymentRecord struct {
	DateRange string        `json:"dateRange"`
	Detail    []PaymentYear `json:"detail"`
}

// PaymentYear is one year of a PaymentRecord.
type PaymentYear struct {
	Year  string         `json:"year"`
	Month []PaymentMonth `json:"month"`
}

// PaymentMonth is one month of a PaymentRecord.
type PaymentMonth struct {
	MonthValue string `json:"monthValue"`
	State      string `json:"state"`
}
