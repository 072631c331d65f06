import type { GeoInfo } from '../../schema';

/**
 * Country from the browser's IANA time zone: a local, offline estimate (no IP lookup leaves the machine).
 * Common zones only; a zone shared by several countries (UTC, Etc/*) gives no country. The city is never
 * guessed: "Unknown", as the spec shows it ("India - Unknown").
 */
const ZONES: Record<string, string> = {
  // Asia
  'Asia/Kolkata': 'India', 'Asia/Calcutta': 'India', 'Asia/Shanghai': 'China', 'Asia/Chongqing': 'China', 'Asia/Urumqi': 'China',
  'Asia/Hong_Kong': 'Hong Kong', 'Asia/Taipei': 'Taiwan', 'Asia/Tokyo': 'Japan', 'Asia/Seoul': 'South Korea',
  'Asia/Singapore': 'Singapore', 'Asia/Kuala_Lumpur': 'Malaysia', 'Asia/Jakarta': 'Indonesia', 'Asia/Makassar': 'Indonesia',
  'Asia/Jayapura': 'Indonesia', 'Asia/Bangkok': 'Thailand', 'Asia/Ho_Chi_Minh': 'Vietnam', 'Asia/Saigon': 'Vietnam',
  'Asia/Manila': 'Philippines', 'Asia/Dhaka': 'Bangladesh', 'Asia/Karachi': 'Pakistan', 'Asia/Kathmandu': 'Nepal',
  'Asia/Colombo': 'Sri Lanka', 'Asia/Dubai': 'United Arab Emirates', 'Asia/Riyadh': 'Saudi Arabia', 'Asia/Qatar': 'Qatar',
  'Asia/Kuwait': 'Kuwait', 'Asia/Bahrain': 'Bahrain', 'Asia/Muscat': 'Oman', 'Asia/Tehran': 'Iran', 'Asia/Baghdad': 'Iraq',
  'Asia/Jerusalem': 'Israel', 'Asia/Tel_Aviv': 'Israel', 'Asia/Beirut': 'Lebanon', 'Asia/Amman': 'Jordan', 'Asia/Damascus': 'Syria',
  'Asia/Tashkent': 'Uzbekistan', 'Asia/Almaty': 'Kazakhstan', 'Asia/Baku': 'Azerbaijan', 'Asia/Tbilisi': 'Georgia',
  'Asia/Yerevan': 'Armenia', 'Asia/Kabul': 'Afghanistan', 'Asia/Yangon': 'Myanmar', 'Asia/Phnom_Penh': 'Cambodia',
  'Asia/Ulaanbaatar': 'Mongolia', 'Asia/Yekaterinburg': 'Russia', 'Asia/Novosibirsk': 'Russia', 'Asia/Vladivostok': 'Russia',
  'Asia/Krasnoyarsk': 'Russia', 'Asia/Irkutsk': 'Russia', 'Asia/Omsk': 'Russia',
  // Europe
  'Europe/London': 'United Kingdom', 'Europe/Dublin': 'Ireland', 'Europe/Lisbon': 'Portugal', 'Europe/Madrid': 'Spain',
  'Europe/Paris': 'France', 'Europe/Brussels': 'Belgium', 'Europe/Amsterdam': 'Netherlands', 'Europe/Luxembourg': 'Luxembourg',
  'Europe/Berlin': 'Germany', 'Europe/Zurich': 'Switzerland', 'Europe/Vienna': 'Austria', 'Europe/Rome': 'Italy',
  'Europe/Copenhagen': 'Denmark', 'Europe/Oslo': 'Norway', 'Europe/Stockholm': 'Sweden', 'Europe/Helsinki': 'Finland',
  'Europe/Warsaw': 'Poland', 'Europe/Prague': 'Czechia', 'Europe/Bratislava': 'Slovakia', 'Europe/Budapest': 'Hungary',
  'Europe/Ljubljana': 'Slovenia', 'Europe/Zagreb': 'Croatia', 'Europe/Belgrade': 'Serbia', 'Europe/Sarajevo': 'Bosnia and Herzegovina',
  'Europe/Bucharest': 'Romania', 'Europe/Sofia': 'Bulgaria', 'Europe/Athens': 'Greece', 'Europe/Istanbul': 'Turkey',
  'Europe/Kiev': 'Ukraine', 'Europe/Kyiv': 'Ukraine', 'Europe/Minsk': 'Belarus', 'Europe/Moscow': 'Russia', 'Europe/Samara': 'Russia',
  'Europe/Vilnius': 'Lithuania', 'Europe/Riga': 'Latvia', 'Europe/Tallinn': 'Estonia', 'Europe/Chisinau': 'Moldova',
  'Europe/Malta': 'Malta', 'Asia/Nicosia': 'Cyprus', 'Europe/Monaco': 'Monaco', 'Atlantic/Reykjavik': 'Iceland',
  // Americas
  'America/New_York': 'United States', 'America/Detroit': 'United States', 'America/Chicago': 'United States',
  'America/Denver': 'United States', 'America/Phoenix': 'United States', 'America/Los_Angeles': 'United States',
  'America/Anchorage': 'United States', 'Pacific/Honolulu': 'United States', 'America/Boise': 'United States',
  'America/Indiana/Indianapolis': 'United States', 'America/Kentucky/Louisville': 'United States',
  'America/Toronto': 'Canada', 'America/Vancouver': 'Canada', 'America/Edmonton': 'Canada', 'America/Winnipeg': 'Canada',
  'America/Halifax': 'Canada', 'America/St_Johns': 'Canada', 'America/Regina': 'Canada', 'America/Montreal': 'Canada',
  'America/Mexico_City': 'Mexico', 'America/Monterrey': 'Mexico', 'America/Tijuana': 'Mexico', 'America/Cancun': 'Mexico',
  'America/Guatemala': 'Guatemala', 'America/Costa_Rica': 'Costa Rica', 'America/Panama': 'Panama', 'America/Havana': 'Cuba',
  'America/Santo_Domingo': 'Dominican Republic', 'America/Puerto_Rico': 'Puerto Rico', 'America/Jamaica': 'Jamaica',
  'America/Bogota': 'Colombia', 'America/Caracas': 'Venezuela', 'America/Lima': 'Peru', 'America/Guayaquil': 'Ecuador',
  'America/La_Paz': 'Bolivia', 'America/Santiago': 'Chile', 'America/Argentina/Buenos_Aires': 'Argentina',
  'America/Buenos_Aires': 'Argentina', 'America/Montevideo': 'Uruguay', 'America/Asuncion': 'Paraguay',
  'America/Sao_Paulo': 'Brazil', 'America/Manaus': 'Brazil', 'America/Fortaleza': 'Brazil', 'America/Recife': 'Brazil',
  'America/Bahia': 'Brazil', 'America/Belem': 'Brazil',
  // Africa
  'Africa/Cairo': 'Egypt', 'Africa/Lagos': 'Nigeria', 'Africa/Johannesburg': 'South Africa', 'Africa/Nairobi': 'Kenya',
  'Africa/Casablanca': 'Morocco', 'Africa/Algiers': 'Algeria', 'Africa/Tunis': 'Tunisia', 'Africa/Accra': 'Ghana',
  'Africa/Addis_Ababa': 'Ethiopia', 'Africa/Dar_es_Salaam': 'Tanzania', 'Africa/Kampala': 'Uganda', 'Africa/Abidjan': 'Ivory Coast',
  'Africa/Dakar': 'Senegal', 'Africa/Khartoum': 'Sudan', 'Africa/Kinshasa': 'DR Congo', 'Africa/Luanda': 'Angola',
  'Africa/Harare': 'Zimbabwe', 'Africa/Lusaka': 'Zambia', 'Africa/Maputo': 'Mozambique', 'Africa/Tripoli': 'Libya',
  // Oceania
  'Australia/Sydney': 'Australia', 'Australia/Melbourne': 'Australia', 'Australia/Brisbane': 'Australia',
  'Australia/Perth': 'Australia', 'Australia/Adelaide': 'Australia', 'Australia/Hobart': 'Australia', 'Australia/Darwin': 'Australia',
  'Pacific/Auckland': 'New Zealand', 'Pacific/Fiji': 'Fiji', 'Pacific/Port_Moresby': 'Papua New Guinea', 'Pacific/Guam': 'Guam',
};

export function geoFromTimeZone(timeZone: string | null | undefined): GeoInfo {
  const country = (timeZone && ZONES[timeZone]) || null;
  return { country, city: country ? 'Unknown' : null, region: null };
}
