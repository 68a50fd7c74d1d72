package creditreport

// PublicInfoDetail is section 五 公共信息明细.
type PublicInfoDetail struct {
	OwingTaxRecord                         []OwingTax          `json:"owingTaxRecord"`
	CivilJudgmentRecord                    []CivilJudgment     `json:"civilJudgmentRecord"`
	ForceExecuteRecord                     []ForceExecution    `json:"forceExecuteRecord"`
	AdministrativePenaltyRecord            []AdminPenalty      `json:"administrativePenaltyRecord"`
	HousingProvidentFundContributionRecord []HousingFund       `json:"housingProvidentFundContributionRecord"`
	LowSecurityRescueRecord                []LowSecurityRescue `json:"lowSecurityRescueRecord"`
	ExecutiveQualificationRecord           []Qualification     `json:"executiveQualificationRecord"`
	AdministrativeRewardRecord             []AdminReward       `json:"administrativeRewardRecord"`
}

// OwingTax is one 欠税记录 row.
type OwingTax struct {
	No                string `json:"no"`
	ChargedTaxOffice  string `json:"chargedTaxOffice"`
	OwingTaxAmount    string `json:"owingTaxAmount"`
	OwingTaxStatsDate string `json:"owingTaxStatsDate"`
}

// CivilJudgment is one 民事判决记录, joined from its two printed tables by 编号.
type CivilJudgment struct {
	No                string `json:"no"`
	FillingCourt      string `json:"fillingCourt"`
	Reason            string `json:"reason"`
	FillingDate       string `json:"fillingDate"`
	ClosingType       string `json:"closingType"`
	ClosingResult     string `json:"closingResult"`
	ClosingEffectDate string `json:"closingEffectDate"`
	Litigation        string `json:"litigation"`
	LitigationAmount  string `json:"litigationAmount"`
}

// ForceExecution is one 强制执行记录, joined from its two printed tables.
type ForceExecution struct {
	No                       string `json:"no"`
	ExecuteCourt             string `json:"executeCourt"`
	ExecuteReason            string `json:"executeReason"`
	FillingDate              string `json:"fillingDate"`
	ClosingType              string `json:"closingType"`
	CaseState                string `json:"caseState"`
	ClosingDate              string `json:"closingDate"`
	ApplyExecuteSubject      string `json:"applyExecuteSubject"`
	ApplyExecuteSubjectValue string `json:"applyExecuteSubjectValue"`
	ExecutedSubject          string `json:"executedSubject"`
	ExecutedSubjectAmount    string `json:"executedSubjectAmount"`
}

// AdminPenalty is one 行政处罚记录 row.
type AdminPenalty struct {
	No                         string `json:"no"`
	PenaltyOrg                 string `json:"penaltyOrg"`
	PenaltyContent             string `json:"penaltyContent"`
	PenaltyAmount              string `json:"penaltyAmount"`
	EffectDate                 string `json:"effectDate"`
	DueDate                    string `json:"dueDate"`
	AdministrativeReviewResult string `json:"administrativeReviewResult"`
}

// HousingFund is one 住房公积金参缴记录, joined from its two printed tables.
type HousingFund struct {
	ContributionPlace             string `json:"contributionPlace"`
	ContributionDate              string `json:"contributionDate"`
	FirstContributionDate         string `json:"firstContributionDate"`
	ContributionDueDate           string `json:"contributionDueDate"`
	ContributionState             string `json:"contributionState"`
	AmountPerMonth                string `json:"amountPerMonth"`
	SelfContributionProportion    string `json:"selfContributionProportion"`
	CompanyContributionProportion string `json:"companyContributionProportion"`
	ContributionCompany           string `json:"contributionCompany"`
	UpdateAt                      string `json:"updateAt"`
}

// LowSecurityRescue is one 低保救助记录 row.
type LowSecurityRescue struct {
	No                   string `json:"no"`
	PersonType           string `json:"personType"`
	Place                string `json:"place"`
	Company              string `json:"company"`
	FamilyIncomePerMonth string `json:"familyIncomePerMonth"`
	ApplyDate            string `json:"applyDate"`
	AgreeDate            string `json:"agreeDate"`
	UpdateAt             string `json:"updateAt"`
}

// Qualification is one 执业资格记录 row. The contract's key keeps its
// misspelling "executiveQulificationName".
type Qualification struct {
	No                         string `json:"no"`
	ExecutiveQualificationName string `json:"executiveQulificationName"`
	Level                      string `json:"level"`
	GotDate                    string `json:"gotDate"`
	DeadlineDate               string `json:"deadlineDate"`
	RevocationDate             string `json:"revocationDate"`
	Issuer                     string `json:"issuer"`
	IssuerPlace                string `json:"issuerPlace"`
}

// AdminReward is one 行政奖励记录 row.
type AdminReward struct {
	No            string `json:"no"`
	RewardCompany string `json:"rewardCompany"`
	RewardContent string `json:"rewardContent"`
	EffectDate    string `json:"effectDate"`
	DueDate       string `json:"dueDate"`
}

// NonFinanceCreditTrans is one 非金融信用交易 record.
type NonFinanceCreditTrans struct {
	Name                string `json:"name"`
	Type                string `json:"type"`
	No                  string `json:"no"`
	StartDate           string `json:"startDate"`
	DeadlineDate        string `json:"deadlineDate"`
	CurDebtAmount       string `json:"curDebtAmount"`
	CurrencyType        string `json:"currencyType"`
	CreditorName        string `json:"creditorName"`
	ScheduledPayAt      string `json:"scheduledPayAt"`
	OverdueAmount       string `json:"overdueAmount"`
	OverdueDays         string `json:"overdueDays"`
	DebitInterestAmount string `json:"debitInterestAmount"`
	PayedAmount         string `json:"payedAmount"`
	RealPayedDate       string `json:"realPayedDate"`
	CurPaymentStatus    string `json:"curPaymentStatus"`
	UpdateAt            string `json:"updateAt"`
}

// OpenInfo is the 公开信息 section.
type OpenInfo struct {
	JudgmentInfo   []Judgment   `json:"judgmentInfo"`
	ExecutionInfo  []Execution  `json:"executionInfo"`
	ConfirmInfo    []Confirm    `json:"confirmInfo"`
	PunishmentInfo []Punishment `json:"punishmentInfo"`
	ArrearsInfo    []Arrears    `json:"arrearsInfo"`
}

// Judgment is one 判决信息 record.
type Judgment struct {
	Name                         string `json:"name"`
	LitigationType               string `json:"litigationType"`
	LitigationStatus             string `json:"litigationStatus"`
	CaseNumber                   string `json:"caseNumber"`
	CaseReason                   string `json:"caseReason"`
	FillingDate                  string `json:"fillingDate"`
	FillingCourt                 string `json:"fillingCourt"`
	JudgmentCourt                string `json:"judgmentCourt"`
	ClosingDate                  string `json:"closingDate"`
	ClosingType                  string `json:"closingType"`
	Litigation                   string `json:"litigation"`
	LitigationAmount             string `json:"litigationAmount"`
	RestrictionOutboundStartDate string `json:"restrictionOutboundStartDate"`
	RestrictionOutboundEndDate   string `json:"restrictionOutboundEndDate"`
	ClosingResult                string `json:"closingResult"`
	ClosingAmount                string `json:"closingAmount"`
	ClosingEffectDate            string `json:"closingEffectDate"`
	UpdateAt                     string `json:"updateAt"`
}

// Execution is one 执行信息 record.
type Execution struct {
	Name                      string `json:"name"`
	ExecuteCourt              string `json:"executeCourt"`
	ExecuteNumber             string `json:"executeNumber"`
	ExecuteReason             string `json:"executeReason"`
	ClosingType               string `json:"closingType"`
	CaseState                 string `json:"caseState"`
	InDishonestList           string `json:"inDishonestList"`
	FillingDate               string `json:"fillingDate"`
	ClosingDate               string `json:"closingDate"`
	ApplyExecuteSubject       string `json:"applyExecuteSubject"`
	ApplyExecuteSubjectAmount string `json:"applyExecuteSubjectAmount"`
	ExecutedSubject           string `json:"executedSubject"`
	ExecutedSubjectAmount     string `json:"executedSubjectAmount"`
	UpdateAt                  string `json:"updateAt"`
}

// Confirm is one 认定类信息 record.
type Confirm struct {
	Name                string `json:"name"`
	Type                string `json:"type"`
	ConfirmationNo      string `json:"confirmationNo"`
	ConfirmationContent string `json:"confirmationContent"`
	EffectDate          string `json:"effectDate"`
	DeadlineDate        string `json:"deadlineDate"`
	RevocationDate      string `json:"revocationDate"`
	ConfirmationState   string `json:"confirmationState"`
	ConfirmationCompany string `json:"confirmationCompany"`
}

// Punishment is one 惩戒类信息 record.
type Punishment struct {
	Name              string `json:"name"`
	Type              string `json:"type"`
	PunishmentNo      string `json:"punishmentNo"`
	PunishmentContent string `json:"punishmentContent"`
	EffectDate        string `json:"effectDate"`
	DeadlineDate      string `json:"deadlineDate"`
	PunishmentState   string `json:"punishmentState"`
	PunishmentCompany string `json:"punishmentCompany"`
}

// Arrears is one 欠缴信息 record.
type Arrears struct {
	Name           string `json:"name"`
	ArrearsType    string `json:"arrearsType"`
	ArrearsNo      string `json:"arrearsNo"`
	PayableAmount  string `json:"payableAmount"`
	PaidAmount     string `json:"paidAmount"`
	OwingTaxAmount string `json:"owingTaxAmount"`
	LatestPaidDate string `json:"latestPaidDate"`
	ArrearsCompany string `json:"arrearsCompany"`
}

// OtherNonOpen is one 其他非公开信息 record.
type OtherNonOpen struct {
	Name                          string `json:"name"`
	CompanyName                   string `json:"companyName"`
	Type                          string `json:"type"`
	PaymentName                   string `json:"paymentName"`
	ContributionDate              string `json:"contributionDate"`
	FirstContributionDate         string `json:"firstContributionDate"`
	ContributionDueDate           string `json:"contributionDueDate"`
	ContributionState             string `json:"contributionState"`
	PayableAmount                 string `json:"payableAmount"`
	PaidAmount                    string `json:"paidAmount"`
	SelfContributionProportion    string `json:"selfContributionProportion"`
	CompanyContributionProportion string `json:"companyContributionProportion"`
	ContributionCompany           string `json:"contributionCompany"`
	UpdateAt                      string `json:"updateAt"`
}

// ObjectionLabelRecord is one row of section 七 异议标注.
type ObjectionLabelRecord struct {
	No           string `json:"no"`
	LabelContent string `json:"labelContent"`
	AddDate      string `json:"addDate"`
}

// QueryRecord is one row of section 八 查询记录.
type QueryRecord struct {
	No           string `json:"no"`
	Date         string `json:"date"`
	QueryCompany string `json:"queryCompany"`
	QueryReason  string `json:"queryReason"`
}
