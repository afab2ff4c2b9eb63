// Synthetic cases for the statistics benchmark, generated inside PostgreSQL in one INSERT … SELECT
// so that a million rows take a minute, not an hour. Distributions follow the demo data
// (src/seed/demo-cases.ts): corridors weighted towards Myanmar → Thailand, categories led by wages
// and documents (three in ten cases with a second one), sectors by province, statuses by age, first
// responses within hours and resolutions within weeks, recovered amounts in THB, MYR or USD. Rows
// carry sealed-looking text of realistic length where the hotline stores sealed text, so the table
// is as wide as a real one. References are the series number scrambled by a multiplication that is
// a bijection modulo 31^6, written in the reference alphabet, so they are unique without a lookup.

/** The INSERT that adds `count` synthetic cases created in the three years before 2026-11-01. */
export function syntheticCasesSql(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > 887_503_680) throw new Error('count must be a whole number of cases');
  return `
insert into cases (reference, channel, language, status, urgency, intake_complete, categories, forced_labour_indicators,
  sector, origin_country, origin_province, destination_country, destination_province, location_raw_encrypted, gender,
  age_band, workers_affected, summary_encrypted, employer_encrypted, employer_key, consent_given, consent_at, consent_wording, pin_hash,
  outcome, amount_recovered, recovered_currency, first_response_at, resolved_at, created_at, updated_at)
select
  reference, channel,
  case when r_lang < 0.07 then 'th' when r_lang < 0.13 then 'en'
       else (array['my','km','lo','vi'])[array_position(array['MM','KH','LA','VN'], origin)] end,
  status,
  case when r_urg < 0.1 then 'low' when r_urg < 0.85 then 'normal' when r_urg < 0.97 then 'high' else 'emergency' end,
  true,
  case when r_cat2 < 0.3 and cat2 <> cat1 then array[cat1, cat2] else array[cat1] end,
  case when status in ('resolved','closed') and r_ind < 0.3
       then array[(array['withholding_of_wages','retention_of_documents','deception','debt_bondage','excessive_overtime',
                         'abusive_conditions','physical_sexual_violence','restriction_of_movement','isolation',
                         'intimidation_threats','abuse_of_vulnerability'])[1 + floor(11 * r_ind2 ^ 2)::int]]
       else '{}'::text[] end,
  (array['construction','manufacturing','seafood_processing','agriculture','garment','domestic_work','fishing',
         'hospitality','entertainment','other'])[1 + floor(10 * r_sector ^ 1.6)::int],
  origin, origin_province, destination,
  case when destination = origin then origin_province
       when destination = 'TH' then (array['TH-63','TH-74','TH-10','TH-20','TH-50','TH-85','TH-11','TH-13','TH-21',
                                           'TH-90','TH-84','TH-83'])[1 + floor(12 * r_dprov ^ 1.8)::int]
       else (array['MY-14','MY-10','MY-01','MY-07','MY-12','MY-13'])[1 + floor(6 * r_dprov ^ 1.5)::int] end,
  case when r_loc < 0.7 then 'v1.bench.' || md5(n::text) || md5((n + 1)::text) end,
  case when r_gender < 0.15 then null when r_gender < 0.58 then 'female' when r_gender < 0.98 then 'male'
       when r_gender < 0.985 then 'other' else 'undisclosed' end,
  case when r_age < 0.3 then null
       else (array['25_34','18_24','35_44','45_54','under_18','55_plus'])[1 + floor(6 * ((r_age - 0.3) / 0.7) ^ 1.7)::int] end,
  case when r_workers < 0.88 then 1 else 5 + floor(36 * r_workers2)::int end,
  'v1.bench.' || repeat(md5(n::text), 6),
  case when r_employer < 0.6 then 'v1.bench.' || md5(('employer' || floor(5000 * r_employer2 ^ 3)::int)::text) end,
  case when r_employer < 0.6 then 'bench.' || floor(5000 * r_employer2 ^ 3)::int end,
  case when r_consent < 0.8 then true when r_consent < 0.9 then false end,
  case when r_consent < 0.9 then created_at + interval '10 minutes' end,
  case when r_consent < 0.9 then 'Can we share your case with a partner organisation? YES or NO' end,
  '$argon2id$v=19$m=19456,t=2,p=1$' || md5(n::text),
  outcome,
  case when outcome in ('wages_recovered','compensation_paid') then (1000 + floor(60000 * r_amount))::numeric(14,2) end,
  case when outcome in ('wages_recovered','compensation_paid')
       then case destination when 'TH' then 'THB' when 'MY' then 'MYR' else 'USD' end end,
  first_response_at,
  case when status in ('resolved','closed') and first_response_at is not null
       then first_response_at + make_interval(secs => 86400 * (1 + 75 * r_resolve ^ 2)) end,
  created_at, created_at
from (
  select *,
    case when status = 'new' then null
         else created_at + make_interval(secs => 3600 * (0.5 + 120 * r_resp ^ 3)) end as first_response_at,
    case when status in ('resolved','closed')
         then (array['advice_given','wages_recovered','documents_returned','lost_contact','referred_elsewhere',
                     'compensation_paid','legal_case_filed','repatriated','other'])[1 + floor(9 * r_outcome ^ 1.5)::int] end as outcome
  from (
    select *, coalesce(destination_draw, origin) as destination,
      case when age_days > 90 then case when r_status < 0.55 then 'resolved' when r_status < 0.9 then 'closed'
                                        when r_status < 0.94 then 'referred' when r_status < 0.97 then 'waiting' else 'open' end
           when age_days > 30 then case when r_status < 0.35 then 'resolved' when r_status < 0.5 then 'closed'
                                        when r_status < 0.7 then 'referred' when r_status < 0.85 then 'waiting' else 'open' end
           else case when r_status < 0.4 then 'new' when r_status < 0.75 then 'open' when r_status < 0.9 then 'referred'
                     else 'waiting' end end as status,
      case origin when 'MM' then (array['MM-15','MM-13','MM-17','MM-02','MM-06','MM-05'])[1 + floor(6 * r_oprov ^ 1.4)::int]
                  when 'KH' then (array['KH-1','KH-2','KH-14','KH-17','KH-6','KH-12'])[1 + floor(6 * r_oprov ^ 1.3)::int]
                  when 'LA' then (array['LA-SV','LA-CH','LA-VT'])[1 + floor(3 * r_oprov ^ 1.3)::int]
                  else (array['VN-22','VN-23','VN-21'])[1 + floor(3 * r_oprov ^ 1.3)::int] end as origin_province
    from (
      select
        substr(a, (x % 31)::int + 1, 1) || substr(a, (x / 31 % 31)::int + 1, 1) || substr(a, (x / 961 % 31)::int + 1, 1) || '-' ||
        substr(a, (x / 29791 % 31)::int + 1, 1) || substr(a, (x / 923521 % 31)::int + 1, 1) || substr(a, (x / 28629151 % 31)::int + 1, 1) as reference,
        timestamptz '2026-11-01T00:00:00Z' - make_interval(secs => 86400 * 1095 * r_age_days ^ 1.25) as created_at,
        1095 * r_age_days ^ 1.25 as age_days,
        case when r_corr < 0.50 then 'MM' when r_corr < 0.64 then 'KH' when r_corr < 0.72 then 'LA' when r_corr < 0.82 then 'MM'
             when r_corr < 0.88 then 'VN' when r_corr < 0.93 then 'MM' when r_corr < 0.98 then 'KH' else 'LA' end as origin,
        case when r_corr < 0.72 then 'TH' when r_corr < 0.88 then 'MY' end as destination_draw,
        case when r_chan < 0.48 then 'sms' when r_chan < 0.78 then 'whatsapp' when r_chan < 0.92 then 'web' else 'console' end as channel,
        *
      from (
        select n, (n::bigint * 104729) % 887503681 as x, '23456789ABCDEFGHJKMNPQRSTUVWXYZ' as a,
          random() as r_age_days, random() as r_status, random() as r_corr, random() as r_lang, random() as r_urg,
          random() as r_cat2, random() as r_ind, random() as r_ind2, random() as r_sector, random() as r_dprov,
          random() as r_loc, random() as r_gender, random() as r_age, random() as r_workers, random() as r_workers2,
          random() as r_employer, random() as r_employer2, random() as r_consent, random() as r_amount,
          random() as r_resolve, random() as r_resp, random() as r_outcome, random() as r_oprov, random() as r_dest,
          (array['wages','documents','recruitment','contract','info','hours','injury','social_security','arrest',
                 'violence','living','movement','trafficking','other','missing'])[1 + floor(15 * random() ^ 2.2)::int] as cat1,
          (array['wages','documents','recruitment','contract','hours','injury','social_security','arrest',
                 'violence','living','movement','trafficking','missing'])[1 + floor(13 * random() ^ 1.8)::int] as cat2,
          random() as r_chan
        from generate_series(1, ${count}) as n
        offset 0
      ) draws
    ) dated
  ) statused
) finished`;
}

/** Makes `random()` repeatable, so every run draws the same cases. */
export const SEED_SQL = 'select setseed(0.20261127)';
