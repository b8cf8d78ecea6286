// Places the simulated traffic flies between: airports of the eastern
// Mediterranean, the Red Sea and the Arabian Gulf, and far cities whose
// great circles bring through traffic into the region. Airport positions are
// the aerodrome reference points published in each state's AIP, rounded to
// 0.01 deg; elevations are rounded and only set where aircraft appear and
// vanish (take-off and landing), so a few tens of metres do not matter.

export interface Place {
  readonly code: string;
  readonly name: string;
  readonly latDeg: number;
  readonly lonDeg: number;
  /** Aerodrome elevation, metres (approximate); 0 for far cities. */
  readonly elevM: number;
  /** Relative traffic weight: hubs send and receive more flights. */
  readonly weight: number;
}

export const AIRPORTS: readonly Place[] = [
  { code: 'HECA', name: 'Cairo', latDeg: 30.12, lonDeg: 31.41, elevM: 116, weight: 5 },
  { code: 'OJAI', name: 'Amman Queen Alia', latDeg: 31.72, lonDeg: 35.99, elevM: 721, weight: 2 },
  { code: 'LCLK', name: 'Larnaca', latDeg: 34.88, lonDeg: 33.62, elevM: 2, weight: 2 },
  { code: 'LLBG', name: 'Tel Aviv Ben Gurion', latDeg: 32.01, lonDeg: 34.89, elevM: 41, weight: 3 },
  { code: 'OLBA', name: 'Beirut', latDeg: 33.82, lonDeg: 35.49, elevM: 26, weight: 2 },
  { code: 'OEJN', name: 'Jeddah', latDeg: 21.68, lonDeg: 39.16, elevM: 15, weight: 4 },
  { code: 'OERK', name: 'Riyadh King Khalid', latDeg: 24.96, lonDeg: 46.7, elevM: 625, weight: 4 },
  { code: 'OMDB', name: 'Dubai', latDeg: 25.25, lonDeg: 55.36, elevM: 19, weight: 6 },
  { code: 'OTHH', name: 'Doha Hamad', latDeg: 25.27, lonDeg: 51.61, elevM: 4, weight: 4 },
  { code: 'LGAV', name: 'Athens', latDeg: 37.94, lonDeg: 23.94, elevM: 94, weight: 3 },
  { code: 'LTFM', name: 'Istanbul', latDeg: 41.26, lonDeg: 28.74, elevM: 99, weight: 5 },
  { code: 'OBBI', name: 'Bahrain', latDeg: 26.27, lonDeg: 50.63, elevM: 2, weight: 2 },
  { code: 'OKBK', name: 'Kuwait', latDeg: 29.23, lonDeg: 47.97, elevM: 63, weight: 2 },
  { code: 'OOMS', name: 'Muscat', latDeg: 23.59, lonDeg: 58.28, elevM: 15, weight: 2 },
  { code: 'HESH', name: 'Sharm el-Sheikh', latDeg: 27.98, lonDeg: 34.39, elevM: 49, weight: 2 },
  { code: 'OJAQ', name: 'Aqaba King Hussein', latDeg: 29.61, lonDeg: 35.02, elevM: 53, weight: 1 },
  { code: 'OETB', name: 'Tabuk', latDeg: 28.37, lonDeg: 36.62, elevM: 776, weight: 1 },
  { code: 'HEGN', name: 'Hurghada', latDeg: 27.18, lonDeg: 33.8, elevM: 16, weight: 2 },
  { code: 'LCPH', name: 'Paphos', latDeg: 34.72, lonDeg: 32.49, elevM: 13, weight: 1 },
  { code: 'LGIR', name: 'Heraklion', latDeg: 35.34, lonDeg: 25.18, elevM: 35, weight: 2 },
  { code: 'OEMA', name: 'Medina', latDeg: 24.55, lonDeg: 39.71, elevM: 654, weight: 2 },
  { code: 'OEDF', name: 'Dammam King Fahd', latDeg: 26.47, lonDeg: 49.8, elevM: 22, weight: 2 },
  { code: 'OMAA', name: 'Abu Dhabi', latDeg: 24.43, lonDeg: 54.65, elevM: 27, weight: 3 },
  { code: 'HELX', name: 'Luxor', latDeg: 25.67, lonDeg: 32.71, elevM: 90, weight: 1 },
  { code: 'LTAI', name: 'Antalya', latDeg: 36.9, lonDeg: 30.8, elevM: 54, weight: 2 },
];

/** Far cities: flights to and from them cross the region's edge on their great circle. */
export const FAR_CITIES: readonly Place[] = [
  { code: 'LIRF', name: 'Rome', latDeg: 41.8, lonDeg: 12.25, elevM: 0, weight: 3 },
  { code: 'EDDF', name: 'Frankfurt', latDeg: 50.03, lonDeg: 8.57, elevM: 0, weight: 4 },
  { code: 'EGLL', name: 'London', latDeg: 51.47, lonDeg: -0.45, elevM: 0, weight: 4 },
  { code: 'LOWW', name: 'Vienna', latDeg: 48.11, lonDeg: 16.57, elevM: 0, weight: 2 },
  { code: 'UUEE', name: 'Moscow', latDeg: 55.97, lonDeg: 37.41, elevM: 0, weight: 2 },
  { code: 'OIIE', name: 'Tehran', latDeg: 35.42, lonDeg: 51.15, elevM: 0, weight: 2 },
  { code: 'VABB', name: 'Mumbai', latDeg: 19.09, lonDeg: 72.87, elevM: 0, weight: 3 },
  { code: 'OPKC', name: 'Karachi', latDeg: 24.91, lonDeg: 67.16, elevM: 0, weight: 2 },
  { code: 'HAAB', name: 'Addis Ababa', latDeg: 8.98, lonDeg: 38.8, elevM: 0, weight: 2 },
  { code: 'HSSK', name: 'Khartoum', latDeg: 15.59, lonDeg: 32.55, elevM: 0, weight: 1 },
  { code: 'HLLT', name: 'Tripoli', latDeg: 32.66, lonDeg: 13.16, elevM: 0, weight: 1 },
  { code: 'HKJK', name: 'Nairobi', latDeg: -1.32, lonDeg: 36.93, elevM: 0, weight: 2 },
  { code: 'VIDP', name: 'Delhi', latDeg: 28.57, lonDeg: 77.1, elevM: 0, weight: 2 },
];

export interface Airline {
  readonly icao: string;
  /** ICAO 24-bit address block of the state of registry (ICAO Annex 10 Vol III, Appendix to chapter 9). */
  readonly blockStart: number;
  readonly blockSize: number;
}

export const AIRLINES: readonly Airline[] = [
  { icao: 'MSR', blockStart: 0x010000, blockSize: 0x8000 }, // EgyptAir, Egypt
  { icao: 'NIA', blockStart: 0x010000, blockSize: 0x8000 }, // Nile Air, Egypt
  { icao: 'RJA', blockStart: 0x740000, blockSize: 0x8000 }, // Royal Jordanian, Jordan
  { icao: 'CYP', blockStart: 0x4c8000, blockSize: 0x400 }, // Cyprus Airways, Cyprus
  { icao: 'SVA', blockStart: 0x710000, blockSize: 0x8000 }, // Saudia, Saudi Arabia
  { icao: 'FAD', blockStart: 0x710000, blockSize: 0x8000 }, // flyadeal, Saudi Arabia
  { icao: 'AEE', blockStart: 0x468000, blockSize: 0x8000 }, // Aegean, Greece
  { icao: 'THY', blockStart: 0x4b8000, blockSize: 0x8000 }, // Turkish Airlines, Turkey
  { icao: 'PGT', blockStart: 0x4b8000, blockSize: 0x8000 }, // Pegasus, Turkey
  { icao: 'UAE', blockStart: 0x896000, blockSize: 0x1000 }, // Emirates, UAE
  { icao: 'FDB', blockStart: 0x896000, blockSize: 0x1000 }, // flydubai, UAE
  { icao: 'ETD', blockStart: 0x896000, blockSize: 0x1000 }, // Etihad, UAE
  { icao: 'ELY', blockStart: 0x738000, blockSize: 0x8000 }, // El Al, Israel
  { icao: 'QTR', blockStart: 0x06a000, blockSize: 0x400 }, // Qatar Airways, Qatar
  { icao: 'GFA', blockStart: 0x894000, blockSize: 0x1000 }, // Gulf Air, Bahrain
  { icao: 'KAC', blockStart: 0x706000, blockSize: 0x1000 }, // Kuwait Airways, Kuwait
  { icao: 'OMA', blockStart: 0x70c000, blockSize: 0x400 }, // Oman Air, Oman
  { icao: 'MEA', blockStart: 0x748000, blockSize: 0x8000 }, // Middle East Airlines, Lebanon
  { icao: 'DLH', blockStart: 0x3c0000, blockSize: 0x40000 }, // Lufthansa, Germany
  { icao: 'BAW', blockStart: 0x400000, blockSize: 0x40000 }, // British Airways, UK
  { icao: 'AFR', blockStart: 0x380000, blockSize: 0x40000 }, // Air France, France
  { icao: 'KLM', blockStart: 0x480000, blockSize: 0x8000 }, // KLM, Netherlands
];

/** Registration prefixes used as callsigns of business jets and light aircraft, with their address blocks. */
export const REGISTRIES: readonly { prefix: string; blockStart: number; blockSize: number }[] = [
  { prefix: 'SU', blockStart: 0x010000, blockSize: 0x8000 }, // Egypt
  { prefix: 'JY', blockStart: 0x740000, blockSize: 0x8000 }, // Jordan
  { prefix: 'HZ', blockStart: 0x710000, blockSize: 0x8000 }, // Saudi Arabia
  { prefix: '5B', blockStart: 0x4c8000, blockSize: 0x400 }, // Cyprus
  { prefix: 'SX', blockStart: 0x468000, blockSize: 0x8000 }, // Greece
  { prefix: 'A6', blockStart: 0x896000, blockSize: 0x1000 }, // UAE
  { prefix: '4X', blockStart: 0x738000, blockSize: 0x8000 }, // Israel
  { prefix: 'TC', blockStart: 0x4b8000, blockSize: 0x8000 }, // Turkey
];
