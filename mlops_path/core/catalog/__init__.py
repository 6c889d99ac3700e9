"""The catalog: what there is to learn (resources and paths), where catalogs come from, and the
curator's checks of a catalog file and its links. Imports nothing, so importing a module of this
package costs only that module."""
