/** Places, companies and job boards for the generated data set. */
export interface Country {
  readonly name: string;
  /** Spellings seen in the raw `country` field for this country. */
  readonly raw: readonly string[];
  readonly geo: string;
  readonly currency: string;
  readonly symbol: string;
  /** Multiplier from the USD base salary to this currency. */
  readonly pay: number;
  readonly boards: readonly string[];
  readonly indeedHost: string;
  readonly phonePrefix: string;
}

export const COUNTRIES = {
  us: {
    name: 'United States',
    raw: ['US', 'USA', 'United States'],
    geo: 'usa',
    currency: 'USD',
    symbol: '$',
    pay: 1,
    boards: ['indeed', 'linkedin', 'glassdoor', 'monster', 'ziprecruiter', 'careerbuilder', 'simplyhired', 'dice'],
    indeedHost: 'www.indeed.com',
    phonePrefix: '+1 ',
  },
  uk: {
    name: 'United Kingdom',
    raw: ['UK', 'GB', 'United Kingdom'],
    geo: 'uk',
    currency: 'GBP',
    symbol: '£',
    pay: 0.62,
    boards: ['reed', 'indeed', 'linkedin', 'totaljobs'],
    indeedHost: 'uk.indeed.com',
    phonePrefix: '+44 20 ',
  },
  ca: {
    name: 'Canada',
    raw: ['CA', 'Canada'],
    geo: 'canada',
    currency: 'CAD',
    symbol: 'CA$',
    pay: 1.12,
    boards: ['indeed', 'workopolis', 'linkedin'],
    indeedHost: 'ca.indeed.com',
    phonePrefix: '+1 ',
  },
  in: {
    name: 'India',
    raw: ['IN', 'IND', 'India'],
    geo: 'india',
    currency: 'INR',
    symbol: '₹',
    pay: 10,
    boards: ['naukri', 'indeed', 'linkedin', 'shine'],
    indeedHost: 'in.indeed.com',
    phonePrefix: '+91 ',
  },
  de: {
    name: 'Germany',
    raw: ['DE', 'Germany', 'Deutschland'],
    geo: 'germany',
    currency: 'EUR',
    symbol: '€',
    pay: 0.68,
    boards: ['stepstone', 'linkedin', 'indeed'],
    indeedHost: 'de.indeed.com',
    phonePrefix: '+49 30 ',
  },
  au: {
    name: 'Australia',
    raw: ['AU', 'Australia'],
    geo: 'australia',
    currency: 'AUD',
    symbol: 'A$',
    pay: 1.25,
    boards: ['seek', 'indeed', 'linkedin'],
    indeedHost: 'au.indeed.com',
    phonePrefix: '+61 2 ',
  },
} as const satisfies Record<string, Country>;

export interface City {
  readonly city: string;
  readonly inferredCity: string;
  /** Raw `state` spellings (abbreviation and/or full name). */
  readonly state: readonly string[];
  readonly inferredState: string;
  readonly country: Country;
  readonly areaCode: string;
  readonly weight: number;
}

const us = (city: string, abbr: string, state: string, areaCode: string, weight: number): City => ({
  city,
  inferredCity: city,
  state: [abbr, abbr, state],
  inferredState: state,
  country: COUNTRIES.us,
  areaCode,
  weight,
});

export const CITIES: readonly City[] = [
  us('San Francisco', 'CA', 'California', '415', 10),
  us('New York', 'NY', 'New York', '212', 10),
  us('Seattle', 'WA', 'Washington', '206', 6),
  us('Austin', 'TX', 'Texas', '512', 5),
  us('Boston', 'MA', 'Massachusetts', '617', 5),
  us('Chicago', 'IL', 'Illinois', '312', 6),
  us('Los Angeles', 'CA', 'California', '213', 6),
  us('Denver', 'CO', 'Colorado', '303', 3),
  us('Atlanta', 'GA', 'Georgia', '404', 4),
  us('San Jose', 'CA', 'California', '408', 3),
  us('Santa Clara', 'CA', 'California', '408', 2),
  us('Raleigh', 'NC', 'North Carolina', '919', 2),
  us('Dallas', 'TX', 'Texas', '214', 4),
  us('Phoenix', 'AZ', 'Arizona', '602', 3),
  us('Miami', 'FL', 'Florida', '305', 3),
  us('Portland', 'OR', 'Oregon', '503', 2),
  us('Minneapolis', 'MN', 'Minnesota', '612', 2),
  us('Pittsburgh', 'PA', 'Pennsylvania', '412', 2),
  { city: 'London', inferredCity: 'London', state: ['England', 'Greater London'], inferredState: 'England', country: COUNTRIES.uk, areaCode: '', weight: 5 },
  { city: 'Manchester', inferredCity: 'Manchester', state: ['England'], inferredState: 'England', country: COUNTRIES.uk, areaCode: '', weight: 2 },
  { city: 'Toronto', inferredCity: 'Toronto', state: ['ON', 'Ontario'], inferredState: 'Ontario', country: COUNTRIES.ca, areaCode: '416', weight: 3 },
  {
    city: 'Vancouver',
    inferredCity: 'Vancouver',
    state: ['BC', 'British Columbia'],
    inferredState: 'British Columbia',
    country: COUNTRIES.ca,
    areaCode: '604',
    weight: 2,
  },
  { city: 'Bangalore', inferredCity: 'Bengaluru', state: ['Karnataka', 'KA'], inferredState: 'Karnataka', country: COUNTRIES.in, areaCode: '', weight: 4 },
  { city: 'Hyderabad', inferredCity: 'Hyderabad', state: ['Telangana'], inferredState: 'Telangana', country: COUNTRIES.in, areaCode: '', weight: 2 },
  { city: 'Berlin', inferredCity: 'Berlin', state: ['Berlin'], inferredState: 'Berlin', country: COUNTRIES.de, areaCode: '', weight: 2 },
  { city: 'Munich', inferredCity: 'Munich', state: ['Bavaria', 'Bayern'], inferredState: 'Bavaria', country: COUNTRIES.de, areaCode: '', weight: 1 },
  {
    city: 'Sydney',
    inferredCity: 'Sydney',
    state: ['NSW', 'New South Wales'],
    inferredState: 'New South Wales',
    country: COUNTRIES.au,
    areaCode: '',
    weight: 2,
  },
];

/** Fortune 500 names: records of these companies form the `f500` dataset. */
export const F500_COMPANIES: readonly string[] = [
  'Walmart',
  'Amazon',
  'Apple',
  'UnitedHealth Group',
  'CVS Health',
  'Alphabet',
  'Microsoft',
  'JPMorgan Chase',
  'Costco Wholesale',
  'Cardinal Health',
  'The Home Depot',
  'Walgreens',
  'Bank of America',
  'Meta Platforms',
  'Verizon',
  'Target',
  'Wells Fargo',
  'Johnson & Johnson',
  'Intel',
  'IBM',
  'Cisco Systems',
  'Oracle',
  'Salesforce',
  'Pfizer',
  'Nike',
  'FedEx',
  'Lockheed Martin',
  'Goldman Sachs',
  'Kroger',
  'Dell Technologies',
];

/** Invented employers; the `agency` ones are staffing firms (`inferred_company_type: agency`). */
export const OTHER_COMPANIES: readonly { readonly name: string; readonly agency: boolean }[] = [
  { name: 'Acme Analytics', agency: false },
  { name: 'Bluewave Health', agency: false },
  { name: 'Northwind Logistics', agency: false },
  { name: 'Brightpath Learning', agency: false },
  { name: 'Pinecrest Medical Center', agency: false },
  { name: 'Redwood Software Labs', agency: false },
  { name: 'Summit Financial Partners', agency: false },
  { name: 'Lumen Data Co.', agency: false },
  { name: 'Orbit Retail Group', agency: false },
  { name: 'Meridian Engineering', agency: false },
  { name: 'Quantum Leap Systems', agency: false },
  { name: 'Evergreen Care Partners', agency: false },
  { name: 'Sparrow Design Studio', agency: false },
  { name: 'Kestrel Cloud', agency: false },
  { name: 'Maple Leaf Tech', agency: false },
  { name: 'Infosphere Technologies', agency: false },
  { name: 'Berliner Softwarehaus GmbH', agency: false },
  { name: 'Thames Valley Consulting Ltd', agency: false },
  { name: 'Harborview Staffing', agency: true },
  { name: 'TalentBridge Recruiting', agency: true },
  { name: 'Apex Workforce Solutions', agency: true },
];
