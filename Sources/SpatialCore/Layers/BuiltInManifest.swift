// The default layer manifest, built into the binary so that a first run works with only the layer
// files at hand (ATALAYA_GEODATA=DIR, --geodata DIR, ./geodata or ../shared/geodata), wherever the
// binary was copied. A manifest.json found in those folders replaces it (a user's own layer set).
// Kept identical to geodata/manifest.json by LayerTests.builtInManifestMatchesFile.

extension LayerCatalog {
    static let builtInManifest = #"""
{
  "about": "Atalaya layer manifest. Each layer's file is looked for in $ATALAYA_GEODATA, then this folder (geodata/), then ../shared/geodata/. To add a layer, drop its GeoJSON (EPSG:4326) here and add an entry. Roles: admin and patrol layers are polygons every incident is assigned to; infrastructure layers are points each incident gets the distance to; context layers are listed only.",
  "layers": [
    { "name": "localidades", "column": "localidad", "file": "localidades.geojson", "id_field": "LocCodigo", "name_field": "nombre", "role": "admin",
      "source": "Secretaría Distrital de Planeación (SDP) via IDECA, Loca.shp 2022-07; Datos Abiertos Bogotá 'localidad-bogota-d-c'" },
    { "name": "upz", "column": "upz", "file": "upz.geojson", "id_field": "UPlCodigo", "name_field": "UPlNombre", "role": "admin",
      "source": "IDECA Mapa de Referencia v12.16 (2016), layer UPla" },
    { "name": "upl", "column": "upl", "file": "upl.geojson", "id_field": "CODIGO_UPL", "name_field": "NOMBRE", "role": "admin",
      "source": "SDP, Unidad de Planeamiento Local, POT Decreto 555 de 2021 (Resolución 2050 de 2022)" },
    { "name": "municipios_region", "column": "municipio", "file": "municipios_region.geojson", "id_field": "MpCodigo", "name_field": "MpNombre", "role": "admin",
      "source": "IGAC, Municipios, Distritos y Áreas no municipalizadas de Colombia, 2024-06-30 (CC BY 4.0)" },
    { "name": "policia_cuadrantes", "column": "cuadrante", "file": "policia_cuadrantes.geojson", "id_field": "PCUCODIGO", "name_field": "PCUNOMCAI", "role": "patrol",
      "source": "SDSCJ/IDECA, Cuadrantes de Policía MNVCC (2019–2020)" },
    { "name": "transmilenio_estaciones", "file": "transmilenio_estaciones.geojson", "id_field": "numero_est", "name_field": "nombre_est", "role": "infrastructure",
      "source": "TRANSMILENIO S.A., Estaciones Troncales (2023-08-15)" },
    { "name": "policia_cai", "file": "policia_cai.geojson", "id_field": "objectid", "name_field": "cainombre", "role": "infrastructure",
      "source": "Datos Abiertos Bogotá, CAI (snapshot 2017-10-03)" },
    { "name": "policia_estaciones", "file": "policia_estaciones.geojson", "id_field": "EPOIDENTIF", "name_field": "EPONOMBRE", "role": "infrastructure",
      "source": "IDECA/SDSCJ, Estación de Policía (EPO)" },
    { "name": "colegios", "file": "colegios.geojson", "id_field": "DANE12_SED", "name_field": "NOMBRE_SED", "role": "infrastructure",
      "source": "Secretaría de Educación del Distrito, directorio de colegios (c. 2020)" },
    { "name": "parques_escenarios_idrd", "file": "parques_escenarios_idrd.geojson", "id_field": "No.", "name_field": "NOMBRE DEL PARQUE O ESCENARIO", "role": "infrastructure",
      "source": "IDRD, directorio de parques y escenarios 2023 (Datos Abiertos 'depor2023')" },
    { "name": "transmilenio_troncales", "file": "transmilenio_troncales.geojson", "id_field": "id_trazado_troncal", "name_field": "nombre_trazado_troncal", "role": "context",
      "source": "TRANSMILENIO S.A., Trazados Troncales" },
    { "name": "policia_inspecciones", "file": "policia_inspecciones.geojson", "id_field": "objectid", "name_field": "iponombre", "role": "context",
      "source": "Datos Abiertos Bogotá, Inspecciones de Policía (2017)" }
  ]
}
"""#
}
