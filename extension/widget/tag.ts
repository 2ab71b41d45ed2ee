/** The custom element every widget is (DESIGN.md, "Extension test hooks"); page readers skip it. */
export const WIDGET_TAG = 'groundtruth-widget';
