/**
 * The original demo, as a mesh file would describe it: three regions and the six Loosehanger Jeans topics.
 * It is the mesh used when MESH_CONFIG is not set.
 */

/** The built-in demo's mesh name (mesh files must choose another: see Mesh.name). */
export const DEMO_MESH_NAME = 'demo';

/** Localisation of the demo producer for the regions the original demo knows. */
export const KNOWN_REGIONS: Readonly<Record<string, { code: string; warehouses: string[] }>> = {
  'north-america': { code: 'NA', warehouses: ['Atlanta', 'Chicago', 'Dallas', 'Detroit', 'Philadelphia'] },
  'south-america': { code: 'SA', warehouses: ['São Paulo', 'Buenos Aires', 'Lima', 'Bogotá', 'La Paz'] },
  europe: { code: 'EU', warehouses: ['Antwerp', 'Rotterdam', 'Dusseldorf', 'Brussels', 'Hamburg'] },
};

/** The demo mesh in mesh-file form (see README: "Describe another mesh"). */
export const DEMO_MESH_FILE = {
  name: DEMO_MESH_NAME,
  regions: [
    { name: 'north-america', alias: 'northamerica' },
    { name: 'south-america', alias: 'southamerica' },
    { name: 'europe', alias: 'europe' },
  ],
  topics: [
    { name: 'LH.ORDERS', partitions: 3, replicas: 3, config: { 'min.insync.replicas': '1', 'retention.bytes': '100000000' } },
    { name: 'LH.CANCELLATIONS', partitions: 3, replicas: 3, config: { 'retention.bytes': '80000000' } },
    { name: 'LH.DOORS', partitions: 1, replicas: 1, config: { 'retention.bytes': '90000000' } },
    { name: 'LH.STOCK', partitions: 2, replicas: 1, config: { 'retention.bytes': '100000000' } },
    { name: 'LH.CUSTOMERS', partitions: 3, replicas: 3, config: { 'retention.bytes': '100000000' } },
    { name: 'LH.SENSORS', partitions: 2, replicas: 1, config: { 'retention.bytes': '120000000' } },
  ],
};
