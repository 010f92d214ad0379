// Load Facility nodes: A processing plant: concentrator, smelter, refinery, separation, metal/alloy, magnet, precursor/cathode, anode or recycling plant.
// Parameters: $rows = [{id: "facility:...", props: {kind: "Facility", name: ..., source: ..., ...}}]
//   one map per node; props holds every attribute of the node (see src/minerals_graph/schema.py).
// Idempotent: MERGE on the :MGNode id, then SET += (a second load changes no counts).
// Example: minerals-graph neo4j load   (sends batches of 1,000 rows)
UNWIND $rows AS row
MERGE (n:MGNode:Facility {id: row.id})
SET n += row.props
