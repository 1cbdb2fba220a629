/** Job families for the generated data set: titles, category, skills and a yearly USD base salary range. */
export interface JobFamily {
  readonly key: string;
  readonly titles: readonly string[];
  readonly category: string;
  readonly skills: readonly string[];
  /** Yearly USD range for a mid-level role; hourly families give an hourly USD range instead. */
  readonly salary: readonly [number, number];
  readonly hourly: boolean;
  readonly duties: readonly string[];
  readonly weight: number;
}

export const FAMILIES: readonly JobFamily[] = [
  {
    key: 'software',
    titles: ['Software Engineer', 'Backend Software Engineer', 'Full Stack Developer', 'Frontend Developer', 'Java Developer', 'C++ Developer', 'Software Developer', '.NET Developer'],
    category: 'Software Development',
    skills: ['JavaScript', 'TypeScript', 'Java', 'Python', 'Go', 'C++', 'C#', 'Node.js', 'React', 'AWS', 'Docker', 'Kubernetes', 'SQL', 'Git', '.NET', 'REST APIs', 'Microservices', 'GraphQL'],
    salary: [95_000, 165_000],
    hourly: false,
    duties: ['design, build and maintain services used by millions of customers', 'ship features end to end with a small product team', 'review code and mentor other engineers', 'improve the reliability and performance of our platform'],
    weight: 18,
  },
  {
    key: 'data',
    titles: ['Data Scientist', 'Data Analyst', 'Machine Learning Engineer', 'Data Engineer', 'Business Intelligence Analyst'],
    category: 'Data Science',
    skills: ['Python', 'R', 'SQL', 'Machine Learning', 'TensorFlow', 'PyTorch', 'Pandas', 'Spark', 'Tableau', 'Statistics', 'Deep Learning', 'Power BI'],
    salary: [80_000, 170_000],
    hourly: false,
    duties: ['build models that forecast demand', 'turn raw data into dashboards for leadership', 'design experiments and analyse their results', 'own data pipelines from ingestion to reporting'],
    weight: 9,
  },
  {
    key: 'nursing',
    titles: ['Registered Nurse', 'ICU Nurse', 'Nurse Practitioner', 'Licensed Practical Nurse', 'Medical Assistant', 'Travel Nurse'],
    category: 'Healthcare',
    skills: ['Patient Care', 'BLS', 'ACLS', 'EMR', 'Epic', 'Medication Administration', 'Triage', 'Wound Care'],
    salary: [28, 60],
    hourly: true,
    duties: ['provide compassionate care to patients', 'coordinate with physicians on treatment plans', 'document patient progress in the EMR', 'educate patients and families'],
    weight: 10,
  },
  {
    key: 'sales',
    titles: ['Sales Representative', 'Account Executive', 'Inside Sales Representative', 'Sales Manager', 'Business Development Representative'],
    category: 'Sales',
    skills: ['Salesforce', 'CRM', 'Negotiation', 'Lead Generation', 'Cold Calling', 'B2B Sales', 'Account Management'],
    salary: [50_000, 120_000],
    hourly: false,
    duties: ['grow a territory of mid-market accounts', 'run discovery calls and product demos', 'close new business and exceed quota', 'keep the CRM accurate'],
    weight: 9,
  },
  {
    key: 'finance',
    titles: ['Accountant', 'Staff Accountant', 'Financial Analyst', 'Accounts Payable Specialist', 'Controller', 'Tax Associate'],
    category: 'Finance & Accounting',
    skills: ['Excel', 'QuickBooks', 'GAAP', 'SAP', 'Financial Reporting', 'Reconciliation', 'CPA', 'Budgeting'],
    salary: [55_000, 125_000],
    hourly: false,
    duties: ['prepare monthly close and reconciliations', 'support budgeting and forecasting', 'keep our books compliant with GAAP', 'work with auditors'],
    weight: 8,
  },
  {
    key: 'marketing',
    titles: ['Marketing Manager', 'Digital Marketing Specialist', 'Content Writer', 'SEO Specialist', 'Social Media Manager'],
    category: 'Marketing',
    skills: ['SEO', 'Google Analytics', 'Content Strategy', 'HubSpot', 'Copywriting', 'Social Media', 'Email Marketing'],
    salary: [50_000, 120_000],
    hourly: false,
    duties: ['plan and run multi-channel campaigns', 'write content that ranks and converts', 'measure campaign performance', 'grow our audience on social media'],
    weight: 6,
  },
  {
    key: 'support',
    titles: ['Customer Service Representative', 'Call Center Agent', 'Customer Success Manager', 'Technical Support Specialist'],
    category: 'Customer Service',
    skills: ['Communication', 'Zendesk', 'Problem Solving', 'Customer Support', 'Salesforce', 'Ticketing'],
    salary: [16, 32],
    hourly: true,
    duties: ['answer customer questions by phone, chat and email', 'resolve issues on the first contact', 'escalate complex cases', 'keep customers happy'],
    weight: 7,
  },
  {
    key: 'engineering',
    titles: ['Mechanical Engineer', 'Electrical Engineer', 'Civil Engineer', 'Project Engineer', 'Manufacturing Engineer'],
    category: 'Engineering',
    skills: ['AutoCAD', 'SolidWorks', 'MATLAB', 'Project Management', 'PLC', 'Six Sigma', 'Lean Manufacturing'],
    salary: [70_000, 130_000],
    hourly: false,
    duties: ['design components from concept to production', 'run tests and analyse failures', 'manage projects on time and on budget', 'work with suppliers and field teams'],
    weight: 6,
  },
  {
    key: 'education',
    titles: ['Teacher', 'Math Tutor', 'Instructional Designer', 'Special Education Teacher'],
    category: 'Education',
    skills: ['Curriculum Development', 'Classroom Management', 'Lesson Planning', 'Assessment', 'Google Classroom'],
    salary: [42_000, 80_000],
    hourly: false,
    duties: ['teach engaging lessons', 'develop curriculum and assessments', 'support students with diverse needs', 'communicate progress to parents'],
    weight: 5,
  },
  {
    key: 'hr',
    titles: ['HR Generalist', 'Recruiter', 'Talent Acquisition Specialist', 'HR Manager', 'Payroll Specialist'],
    category: 'Human Resources',
    skills: ['Recruiting', 'Workday', 'Onboarding', 'Employee Relations', 'ADP', 'Benefits Administration'],
    salary: [52_000, 115_000],
    hourly: false,
    duties: ['run full-cycle recruiting', 'onboard new hires', 'advise managers on employee relations', 'administer payroll and benefits'],
    weight: 5,
  },
  {
    key: 'logistics',
    titles: ['Warehouse Associate', 'Delivery Driver', 'Supply Chain Analyst', 'Forklift Operator', 'Logistics Coordinator'],
    category: 'Logistics',
    skills: ['Forklift', 'Inventory Management', 'Shipping', 'Logistics', 'Supply Chain', 'Excel'],
    salary: [17, 30],
    hourly: true,
    duties: ['pick, pack and ship orders', 'keep inventory accurate', 'deliver packages safely and on time', 'coordinate shipments with carriers'],
    weight: 6,
  },
  {
    key: 'retail',
    titles: ['Retail Sales Associate', 'Store Manager', 'Cashier', 'Shift Supervisor'],
    category: 'Retail',
    skills: ['Customer Service', 'POS', 'Merchandising', 'Cash Handling', 'Inventory'],
    salary: [14, 26],
    hourly: true,
    duties: ['help customers find what they need', 'keep the store clean and stocked', 'handle cash and card payments', 'lead the team during busy shifts'],
    weight: 5,
  },
  {
    key: 'design',
    titles: ['UX Designer', 'Graphic Designer', 'Product Designer', 'UI Designer'],
    category: 'Design',
    skills: ['Figma', 'Adobe Photoshop', 'Sketch', 'User Research', 'Prototyping', 'Illustrator'],
    salary: [65_000, 145_000],
    hourly: false,
    duties: ['design intuitive user experiences', 'run user research sessions', 'build prototypes and design systems', 'partner closely with engineers'],
    weight: 3,
  },
  {
    key: 'product',
    titles: ['Product Manager', 'Project Manager', 'Scrum Master', 'Program Manager'],
    category: 'Product Management',
    skills: ['Agile', 'Jira', 'Scrum', 'Roadmapping', 'Stakeholder Management', 'Confluence'],
    salary: [85_000, 175_000],
    hourly: false,
    duties: ['own the product roadmap', 'translate customer needs into requirements', 'run sprint planning and retrospectives', 'align stakeholders across teams'],
    weight: 4,
  },
  {
    key: 'devops',
    titles: ['DevOps Engineer', 'Site Reliability Engineer', 'Cloud Engineer', 'Systems Administrator'],
    category: 'IT & Infrastructure',
    skills: ['AWS', 'Terraform', 'Kubernetes', 'Docker', 'Linux', 'CI/CD', 'Azure', 'Ansible'],
    salary: [100_000, 175_000],
    hourly: false,
    duties: ['automate infrastructure with code', 'keep production healthy and observable', 'run incident response', 'cut cloud costs'],
    weight: 4,
  },
];

export const SENIORITY = [
  { level: 'Entry Level', weight: 25, prefixes: ['Junior ', 'Associate ', ''], pay: 0.72, experience: [0, 2] },
  { level: 'Mid Level', weight: 40, prefixes: [''], pay: 1, experience: [2, 5] },
  { level: 'Senior Level', weight: 28, prefixes: ['Senior ', 'Lead ', 'Sr. '], pay: 1.3, experience: [5, 10] },
  { level: 'Executive Level', weight: 7, prefixes: ['Principal ', 'Director, ', 'Head of '], pay: 1.75, experience: [10, 15] },
] as const;

export const JOB_TYPES: readonly (readonly [string, number])[] = [
  ['Full Time', 70],
  ['Part Time', 8],
  ['Contract', 10],
  ['Temporary', 4],
  ['Internship', 3],
  ['Full Time, Contract', 5],
];

export const SOFTWARE_ENGINEER_TITLES = [
  'Software Engineer',
  'Software Engineer II',
  'Backend Software Engineer',
  'Software Engineer, Platform',
  'Full Stack Software Engineer',
] as const;

export const BENEFITS = [
  'We offer medical, dental and vision coverage from day one.',
  'Enjoy a 401(k) match, generous paid time off and parental leave.',
  'Flexible hours and a yearly learning budget are included.',
  'Equity, a home-office stipend and wellness benefits come with the role.',
  'We are an equal opportunity employer and value diversity.',
] as const;
