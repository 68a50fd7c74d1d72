// Package demo holds the data a fresh creditpocket is seeded with so it can
// be tried at once: Nigerian banks with their CBN codes, a city dictionary,
// monthly income bands, and the support desk's details. The loan products
// come from the loan package. Seeding only inserts missing rows, so an
// operator's edits survive restarts.
package demo

import (
	"creditpocket/internal/reference"
)

// Reference returns the dictionaries to seed.
func Reference() reference.Seed {
	return reference.Seed{
		Banks:         banks,
		Cities:        cities,
		IncomeBands:   incomes,
		HotQuestions:  questions,
		SupportPhones: phones,
		Settings:      map[string]string{reference.SettingSupportEmail: "support@creditpocket.example"},
	}
}

// Nigerian deposit-money banks; every one uses 10-digit NUBAN accounts.
var banks = []reference.Bank{
	{Code: "044", Name: "Access Bank", Country: "NG", NUBAN: true},
	{Code: "023", Name: "Citibank Nigeria", Country: "NG", NUBAN: true},
	{Code: "050", Name: "Ecobank Nigeria", Country: "NG", NUBAN: true},
	{Code: "070", Name: "Fidelity Bank", Country: "NG", NUBAN: true},
	{Code: "011", Name: "First Bank of Nigeria", Country: "NG", NUBAN: true},
	{Code: "214", Name: "First City Monument Bank", Country: "NG", NUBAN: true},
	{Code: "103", Name: "Globus Bank", Country: "NG", NUBAN: true},
	{Code: "058", Name: "GT Bank", Country: "NG", NUBAN: true},
	{Code: "030", Name: "Heritage Bank", Country: "NG", NUBAN: true},
	{Code: "301", Name: "Jaiz Bank", Country: "NG", NUBAN: true},
	{Code: "082", Name: "Keystone Bank", Country: "NG", NUBAN: true},
	{Code: "076", Name: "Polaris Bank", Country: "NG", NUBAN: true},
	{Code: "101", Name: "Providus Bank", Country: "NG", NUBAN: true},
	{Code: "221", Name: "Stanbic IBTC Bank", Country: "NG", NUBAN: true},
	{Code: "068", Name: "Standard Chartered Bank", Country: "NG", NUBAN: true},
	{Code: "232", Name: "Sterling Bank", Country: "NG", NUBAN: true},
	{Code: "100", Name: "SunTrust Bank", Country: "NG", NUBAN: true},
	{Code: "102", Name: "Titan Trust Bank", Country: "NG", NUBAN: true},
	{Code: "032", Name: "Union Bank of Nigeria", Country: "NG", NUBAN: true},
	{Code: "033", Name: "United Bank for Africa", Country: "NG", NUBAN: true},
	{Code: "215", Name: "Unity Bank", Country: "NG", NUBAN: true},
	{Code: "035", Name: "Wema Bank", Country: "NG", NUBAN: true},
	{Code: "057", Name: "Zenith Bank", Country: "NG", NUBAN: true},
}

var cities = []reference.City{
	{Code: "NG-LA-IKJ", Name: "Ikeja", State: "Lagos"},
	{Code: "NG-LA-LEK", Name: "Lekki", State: "Lagos"},
	{Code: "NG-LA-SUR", Name: "Surulere", State: "Lagos"},
	{Code: "NG-LA-YAB", Name: "Yaba", State: "Lagos"},
	{Code: "NG-LA-IKR", Name: "Ikorodu", State: "Lagos"},
	{Code: "NG-FC-ABJ", Name: "Abuja", State: "Federal Capital Territory"},
	{Code: "NG-KN-KAN", Name: "Kano", State: "Kano"},
	{Code: "NG-OY-IBA", Name: "Ibadan", State: "Oyo"},
	{Code: "NG-RI-PHC", Name: "Port Harcourt", State: "Rivers"},
	{Code: "NG-ED-BEN", Name: "Benin City", State: "Edo"},
	{Code: "NG-KD-KAD", Name: "Kaduna", State: "Kaduna"},
	{Code: "NG-EN-ENU", Name: "Enugu", State: "Enugu"},
	{Code: "NG-AN-ONI", Name: "Onitsha", State: "Anambra"},
	{Code: "NG-OG-ABE", Name: "Abeokuta", State: "Ogun"},
	{Code: "NG-PL-JOS", Name: "Jos", State: "Plateau"},
	{Code: "NG-KW-ILO", Name: "Ilorin", State: "Kwara"},
	{Code: "NG-IM-OWE", Name: "Owerri", State: "Imo"},
	{Code: "NG-AK-UYO", Name: "Uyo", State: "Akwa Ibom"},
	{Code: "NG-CR-CAL", Name: "Calabar", State: "Cross River"},
	{Code: "NG-DE-WAR", Name: "Warri", State: "Delta"},
	{Code: "NG-ON-AKU", Name: "Akure", State: "Ondo"},
	{Code: "NG-OS-OSO", Name: "Osogbo", State: "Osun"},
	{Code: "NG-BO-MAI", Name: "Maiduguri", State: "Borno"},
	{Code: "NG-SO-SOK", Name: "Sokoto", State: "Sokoto"},
}

// Monthly income bands in kobo (minor units of NGN).
var incomes = []reference.IncomeBand{
	{Code: "INC1", Label: "Below ₦30,000", Min: 0, Max: 3_000_000},
	{Code: "INC2", Label: "₦30,000 – ₦50,000", Min: 3_000_000, Max: 5_000_000},
	{Code: "INC3", Label: "₦50,000 – ₦100,000", Min: 5_000_000, Max: 10_000_000},
	{Code: "INC4", Label: "₦100,000 – ₦200,000", Min: 10_000_000, Max: 20_000_000},
	{Code: "INC5", Label: "₦200,000 – ₦500,000", Min: 20_000_000, Max: 50_000_000},
	{Code: "INC6", Label: "Above ₦500,000", Min: 50_000_000, Max: 0},
}

var questions = []reference.HotQuestion{
	{Question: "How do I apply for a loan?", Answer: "Complete your profile (basic information, emergency contacts, work and a bank account), choose a product on the home screen and tap Apply."},
	{Question: "How long does approval take?", Answer: "Most applications are decided within minutes. Some are reviewed by our team within one business day."},
	{Question: "How do I repay?", Answer: "Open your loan and tap Repay. You can repay part or all of what you owe at any time before the due date."},
	{Question: "What happens if I repay late?", Answer: "A daily late fee is added from the day after the due date, up to the product's cap. Repaying on time raises your next limit."},
	{Question: "Can I extend my loan?", Answer: "Yes. Paying the extension fee moves your due date by one loan term."},
	{Question: "Why was my application declined?", Answer: "Decisions follow our lending criteria. You can apply again later; repaying existing loans on time helps."},
	{Question: "How do I change my bank account?", Answer: "Add the new account in Bank Accounts and set it as default. Loans are paid to your default account."},
	{Question: "Is my data safe?", Answer: "Your ID and account numbers are encrypted. We never read your contacts, SMS or photos."},
}

var phones = []reference.SupportPhone{
	{Phone: "+2342013300000", Label: "Customer care (Mon–Sat 8:00–20:00)"},
	{Phone: "+2348001234567", Label: "Collections and repayments"},
}
